import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { DocumentPolicy } from '../../config/document-policy.ts'
import { DOCUMENT_TYPES } from '../../db/schema.ts'
import type { ClientDocumentPolicy } from '../clients/index.ts'
import { documentPolicyFor } from './policy.ts'

const COUNTRIES = ['DE', 'FR', 'GB', 'IR', 'US', 'CU']
const countries = fc.uniqueArray(fc.constantFrom(...COUNTRIES))
const region: fc.Arbitrary<DocumentPolicy> = fc.record({
  documentTypes: fc.uniqueArray(fc.constantFrom(...DOCUMENT_TYPES), { minLength: 1 }),
  issuingCountries: fc.oneof(fc.constant('any' as const), countries),
  restrictedCountries: countries,
  minimumAge: fc.integer({ min: 1, max: 120 }),
})
const client: fc.Arbitrary<ClientDocumentPolicy> = fc.record({
  documentTypes: fc.option(fc.uniqueArray(fc.constantFrom(...DOCUMENT_TYPES)), { nil: null }),
  issuingCountries: fc.option(countries, { nil: null }),
  restrictedCountries: countries,
  minimumAge: fc.option(fc.integer({ min: 1, max: 120 }), { nil: null }),
})
const accepts = (list: readonly string[] | 'any', value: string) => list === 'any' || list.includes(value)

describe('documentPolicyFor', () => {
  it('only ever narrows the region: nothing the region refuses is accepted for any client', () => {
    fc.assert(
      fc.property(region, client, (regional, settings) => {
        const policy = documentPolicyFor(regional, settings)
        for (const type of policy.documentTypes) expect(regional.documentTypes).toContain(type)
        for (const country of COUNTRIES)
          if (accepts(policy.issuingCountries, country))
            expect(accepts(regional.issuingCountries, country)).toBe(true)
        for (const country of regional.restrictedCountries)
          expect(policy.restrictedCountries).toContain(country)
        expect(policy.minimumAge).toBeGreaterThanOrEqual(regional.minimumAge)
      }),
    )
  })

  it("is the region's own without client settings", () => {
    fc.assert(
      fc.property(region, (regional) => {
        const none = {
          documentTypes: null,
          issuingCountries: null,
          restrictedCountries: [],
          minimumAge: null,
        }
        const policy = documentPolicyFor(regional, none)
        expect(policy).toEqual({ ...regional, restrictedCountries: [...regional.restrictedCountries].sort() })
        expect(documentPolicyFor(regional, undefined)).toEqual(policy)
      }),
    )
  })

  it('applies what a client narrows', () => {
    const regional: DocumentPolicy = {
      documentTypes: ['passport', 'id_card'],
      issuingCountries: 'any',
      restrictedCountries: ['IR'],
      minimumAge: 18,
    }
    expect(
      documentPolicyFor(regional, {
        documentTypes: ['passport', 'residence_permit'],
        issuingCountries: ['FR', 'DE'],
        restrictedCountries: ['RU'],
        minimumAge: 21,
      }),
    ).toEqual({
      documentTypes: ['passport'],
      issuingCountries: ['FR', 'DE'],
      restrictedCountries: ['IR', 'RU'],
      minimumAge: 21,
    })
    expect(documentPolicyFor(regional, { ...regionalNone, minimumAge: 16 }).minimumAge, 'never lowered').toBe(
      18,
    )
  })
})

const regionalNone: ClientDocumentPolicy = {
  documentTypes: null,
  issuingCountries: null,
  restrictedCountries: [],
  minimumAge: null,
}
