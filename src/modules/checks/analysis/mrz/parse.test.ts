import fc from 'fast-check'
import { parse } from 'mrz'
import { describe, expect, it } from 'vitest'
import { type MrzData, mrzLines } from '../../../../../test/fixtures/documents/mrz-lines.ts'
import { MRZ_FORMATS } from './formats.ts'
import { documentDataOf, mrzDate } from './parse.ts'
import { checkDigitsOf } from './repair.ts'

// `mrz` reads a 2×36 MRZ starting IDFRA as the old French identity card, a layout of its own: TD2
// fixtures use the code I.
const CODES = { TD1: 'ID', TD2: 'I', TD3: 'P' } as const
const NOW = new Date('2026-12-02T12:00:00Z')
const letters = (min: number, max: number) => fc.stringMatching(new RegExp(`^[A-Z]{${min},${max}}$`))
const isoDate = (from: number, to: number) =>
  fc
    .record({
      year: fc.integer({ min: from, max: to }),
      month: fc.integer({ min: 1, max: 12 }),
      day: fc.integer({ min: 1, max: 28 }),
    })
    .map(
      ({ year, month, day }) => `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
    )
const country = fc.constantFrom(
  'GBR',
  'FRA',
  'DEU',
  'ITA',
  'ESP',
  'NLD',
  'USA',
  'CAN',
  'JPN',
  'NGA',
  'BRA',
  'IND',
)

const data: fc.Arbitrary<MrzData> = fc.record({
  documentCode: fc.constant('P'),
  issuingState: country,
  documentNumber: fc.stringMatching(/^[A-Z0-9]{9}$/),
  surname: letters(2, 10),
  givenNames: letters(2, 8),
  nationality: country,
  // Within the ranges the two-digit years resolve to unambiguously on NOW.
  dateOfBirth: isoDate(1930, 2025),
  sex: fc.constantFrom('M' as const, 'F' as const, '<' as const),
  expiryDate: isoDate(2000, 2045),
})

describe('MRZ lines ↔ document data', () => {
  it('round-trips: generated lines parse (mrz@5) to the data they were made from, every check digit valid', () => {
    fc.assert(
      fc.property(fc.constantFrom(...MRZ_FORMATS), data, (format, fields) => {
        const document = { ...fields, documentCode: CODES[format] }
        const lines = mrzLines(format, document)
        expect(parse(lines).valid).toBe(true)
        expect(checkDigitsOf(format, lines).every((check) => check.valid)).toBe(true)
        const read = documentDataOf(lines, NOW)
        expect(read).toMatchObject({
          source: 'mrz',
          format,
          documentCode: document.documentCode.replace(/<$/, ''),
          documentNumber: document.documentNumber,
          issuingCountry: document.issuingState,
          nationality: document.nationality,
          surname: document.surname,
          givenNames: document.givenNames,
          dateOfBirth: document.dateOfBirth,
          expiryDate: document.expiryDate,
          sex: { M: 'male', F: 'female', '<': 'unspecified' }[document.sex],
          invalidFields: [],
        })
        expect(read.checkDigits.length).toBeGreaterThanOrEqual(4)
        expect(read.checkDigits.every((check) => check.valid)).toBe(true)
      }),
    )
  })

  it('reports the one check digit printed wrong, and only that one', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...MRZ_FORMATS),
        data,
        fc.constantFrom(
          'documentNumber' as const,
          'birthDate' as const,
          'expirationDate' as const,
          'composite' as const,
        ),
        (format, fields, corrupt) => {
          const lines = mrzLines(format, { ...fields, documentCode: CODES[format] }, corrupt)
          const failed = documentDataOf(lines, NOW).checkDigits.filter((check) => !check.valid)
          expect(failed.map((check) => check.field)).toEqual([corrupt])
          expect(
            checkDigitsOf(format, lines)
              .filter((check) => !check.valid)
              .map((check) => check.field),
          ).toEqual([corrupt])
        },
      ),
    )
  })

  it('resolves two-digit years: births in the past, expiries up to 20 years ahead', () => {
    expect(mrzDate('261201', 'birth', NOW)).toBe('2026-12-01')
    expect(mrzDate('261203', 'birth', NOW)).toBe('1926-12-03')
    expect(mrzDate('850314', 'birth', NOW)).toBe('1985-03-14')
    expect(mrzDate('461231', 'expiry', NOW)).toBe('2046-12-31')
    expect(mrzDate('470101', 'expiry', NOW)).toBe('1947-01-01')
    expect(mrzDate('990101', 'expiry', NOW)).toBe('1999-01-01')
    expect(mrzDate('85<<<<', 'birth', NOW)).toBeNull()
  })

  it('flags malformed fields besides check digits', () => {
    const lines = mrzLines('TD3', {
      documentCode: 'P',
      issuingState: 'QQQ',
      documentNumber: 'AB1234567',
      surname: 'DOE',
      givenNames: 'JANE',
      nationality: 'GBR',
      dateOfBirth: '1990-01-01',
      sex: 'F',
      expiryDate: '2030-01-01',
    })
    expect(documentDataOf(lines, NOW).invalidFields).toEqual(['issuingState'])
  })
})
