import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { identityFingerprints, normalizedDocumentNumber } from './fingerprints.ts'
import { passportData } from './test-context.ts'

const KEY = Buffer.alloc(32, 1)

describe('identityFingerprints', () => {
  it('gives one document country one fingerprint however the document spells it (D, DEU, D<<)', () => {
    const [d] = identityFingerprints(KEY, 'cli_a', passportData({ issuingCountry: 'D' }), null)
    const [deu] = identityFingerprints(KEY, 'cli_a', passportData({ issuingCountry: 'DEU' }), null)
    const [filled] = identityFingerprints(KEY, 'cli_a', passportData({ issuingCountry: 'D<<' }), null)
    expect(d).toEqual(deu)
    expect(d).toEqual(filled)
    expect(d?.digest).toMatch(/^[0-9a-f]{64}$/)
  })

  it('keeps neither the number nor the SSN, and differs per client, country, number, kind and key', () => {
    const fingerprints = identityFingerprints(KEY, 'cli_a', passportData(), '772123456')
    expect(fingerprints.map((each) => each.kind)).toEqual(['document', 'ssn'])
    expect(JSON.stringify(fingerprints)).not.toMatch(/C01X00T47|772123456/)
    const digests = [
      ...fingerprints,
      ...identityFingerprints(KEY, 'cli_b', passportData(), '772123456'),
      ...identityFingerprints(KEY, 'cli_a', passportData({ issuingCountry: 'FRA' }), null),
      ...identityFingerprints(KEY, 'cli_a', passportData({ documentNumber: 'C01X00T48' }), null),
      ...identityFingerprints(Buffer.alloc(32, 2), 'cli_a', passportData(), '772123456'),
    ].map((each) => each.digest)
    expect(new Set(digests).size).toBe(digests.length)
  })

  it('makes no document fingerprint without a number or a country', () => {
    expect(identityFingerprints(KEY, 'cli_a', passportData({ documentNumber: null }), null)).toEqual([])
    expect(identityFingerprints(KEY, 'cli_a', passportData({ issuingCountry: null }), null)).toEqual([])
    expect(identityFingerprints(KEY, 'cli_a', undefined, '772123456').map((each) => each.kind)).toEqual([
      'ssn',
    ])
  })
})

describe('normalizedDocumentNumber', () => {
  it('keeps letters and digits only, upper-cased, and is idempotent', () => {
    fc.assert(
      fc.property(fc.string(), (number) => {
        const normalized = normalizedDocumentNumber(number)
        expect(normalized).toMatch(/^[A-Z0-9]*$/)
        expect(normalizedDocumentNumber(normalized)).toBe(normalized)
      }),
    )
    expect(normalizedDocumentNumber('d123-456 789<<')).toBe('D123456789')
  })
})
