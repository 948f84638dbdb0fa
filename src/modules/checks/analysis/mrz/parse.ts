import { parse as parseMrz } from 'mrz'
import type { DocumentData } from '../document-data.ts'
import type { MrzFormat } from './formats.ts'

/** An MRZ date (YYMMDD) as ISO, the century chosen as a reader would; `null` when a part is unknown (`<`). */
export const mrzDate = (
  yymmdd: string | null | undefined,
  kind: 'birth' | 'expiry',
  now: Date,
): string | null => {
  if (!yymmdd || !/^\d{6}$/.test(yymmdd)) return null
  const year = Number(yymmdd.slice(0, 2))
  const month = yymmdd.slice(2, 4)
  const day = yymmdd.slice(4, 6)
  const today = now.toISOString().slice(0, 10)
  const inCentury = (century: number) => `${century + year}-${month}-${day}`
  // A birth date is in the past; an expiry date is at most ~20 years ahead (passports run 10, some 15).
  const recent = inCentury(2000)
  if (kind === 'birth') return recent <= today ? recent : inCentury(1900)
  return Number(recent.slice(0, 4)) <= now.getUTCFullYear() + 20 ? recent : inCentury(1900)
}

const SEX = { male: 'male', female: 'female', nonspecified: 'unspecified' } as const

/**
 * The identity data of MRZ lines, parsed by `mrz` (which validates every field: check digits, country
 * codes, dates), with each check digit's result and the fields `mrz` found malformed.
 */
export const documentDataOf = (lines: readonly string[], now: Date, read?: MrzFormat): DocumentData => {
  const result = parseMrz([...lines])
  const { fields } = result
  const checkDigits = result.details
    .filter((detail) => detail.field?.endsWith('CheckDigit'))
    .map((detail) => ({
      field: (detail.field as string).replace(/CheckDigit$/, ''),
      valid: detail.valid,
    }))
  const invalidFields = result.details
    .filter((detail) => !detail.valid && detail.field && !detail.field.endsWith('CheckDigit'))
    .map((detail) => detail.field as string)
  // `mrz` takes some 2×36 zones (IDFRA…) for national layouts of their own: the reader's TD2 positions
  // do not apply to those, so the read is doubtful.
  if (read && result.format !== read) invalidFields.push('format')
  return {
    source: 'mrz',
    format: (read ?? result.format) as MrzFormat,
    documentCode: fields.documentCode ?? null,
    documentNumber: result.documentNumber ?? null,
    issuingCountry: fields.issuingState ?? null,
    nationality: fields.nationality ?? null,
    surname: fields.lastName ?? '',
    givenNames: fields.firstName ?? '',
    dateOfBirth: mrzDate(fields.birthDate, 'birth', now),
    expiryDate: mrzDate(fields.expirationDate, 'expiry', now),
    sex: fields.sex ? (SEX[fields.sex as keyof typeof SEX] ?? null) : null,
    checkDigits,
    invalidFields,
  }
}
