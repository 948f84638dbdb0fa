import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { aamvaPayload, type LicenceData } from '../../../../../test/fixtures/documents/aamva-payload.ts'
import { licenceData } from '../../../../../test/fixtures/documents/licences.ts'
import { documentDataFromAamva } from './aamva.ts'

const isoDate = fc
  .date({ min: new Date('1920-01-01T00:00:00Z'), max: new Date('2060-12-31T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString().slice(0, 10))
const name = fc.stringMatching(/^[A-Z][A-Z'-]{0,18}[A-Z]$/)

const licence: fc.Arbitrary<LicenceData> = fc.record({
  state: fc.constant('CA'),
  stateName: fc.constant('CALIFORNIA'),
  iin: fc.constant('636014'),
  licenceNumber: fc.stringMatching(/^[A-Z0-9]{6,12}$/),
  lastName: name,
  firstName: name,
  middleName: name,
  dateOfBirth: isoDate,
  issueDate: isoDate,
  expiryDate: isoDate,
  sex: fc.constantFrom('male' as const, 'female' as const),
  street: fc.constant('1 MAIN ST'),
  city: fc.constant('SACRAMENTO'),
  postalCode: fc.constant('95818'),
})

describe('documentDataFromAamva', () => {
  it('returns what the AAMVA record says, for any holder', () => {
    fc.assert(
      fc.property(licence, (data) => {
        expect(documentDataFromAamva(aamvaPayload(data))).toEqual({
          source: 'pdf417',
          format: 'AAMVA',
          documentCode: 'DL',
          documentNumber: data.licenceNumber,
          issuingCountry: 'USA',
          nationality: null,
          surname: data.lastName,
          givenNames: `${data.firstName} ${data.middleName}`,
          dateOfBirth: data.dateOfBirth,
          expiryDate: data.expiryDate,
          sex: data.sex,
          checkDigits: [],
        })
      }),
    )
  })

  it('leaves out a middle name the jurisdiction wrote as NONE', () => {
    const { middleName: _none, ...data } = licenceData(1)
    expect(documentDataFromAamva(aamvaPayload(data))?.givenNames).toBe(data.firstName.toUpperCase())
  })

  it('refuses text that is not an AAMVA record', () => {
    expect(documentDataFromAamva('https://example.com/ticket/123')).toBeNull()
    expect(documentDataFromAamva('@\n\x1e\rANSI 636014100001DL00310010DL\r')).toBeNull()
  })
})
