import { Gender, parse } from 'aamva-parser'
import type { DocumentData } from '../document-data.ts'

const isoDate = (date: Date | null | undefined): string | null => {
  if (!date || Number.isNaN(date.getTime())) return null
  // aamva-parser builds dates with the local-time constructor: read them back the same way.
  const month = String(date.getMonth() + 1).padStart(2, '0')
  const day = String(date.getDate()).padStart(2, '0')
  return `${date.getFullYear()}-${month}-${day}`
}

const SEXES: Partial<Record<Gender, DocumentData['sex']>> = {
  [Gender.Male]: 'male',
  [Gender.Female]: 'female',
  [Gender.Other]: 'unspecified',
}

/** AAMVA writes "NONE" (and sometimes "unavl") where a jurisdiction has no value for a name part. */
const namePart = (value: string | null | undefined): string | null => {
  const trimmed = value?.trim() ?? ''
  return trimmed === '' || /^(NONE|UNAVL|UNAVAILABLE)$/i.test(trimmed) ? null : trimmed
}

/**
 * The identity data of a US (or Canadian) licence barcode, in the shape every document reader gives.
 * Null when the text is not an AAMVA record with at least a surname and a licence number.
 */
export const documentDataFromAamva = (text: string): DocumentData | null => {
  if (!text.startsWith('@') || !text.includes('ANSI')) return null
  const licence = parse(text)
  const surname = namePart(licence.lastName)
  const documentNumber = namePart(licence.driversLicenseId)
  if (!surname || !documentNumber) return null
  const country = licence.countryCode?.trim().toUpperCase()
  return {
    source: 'pdf417',
    format: 'AAMVA',
    documentCode: 'DL',
    documentNumber,
    issuingCountry: country === 'CAN' ? 'CAN' : 'USA',
    nationality: null,
    surname,
    givenNames: [namePart(licence.firstName), namePart(licence.middleName)].filter(Boolean).join(' '),
    dateOfBirth: isoDate(licence.dateOfBirth),
    expiryDate: isoDate(licence.expirationDate),
    sex: licence.gender ? (SEXES[licence.gender] ?? null) : null,
    checkDigits: [],
  }
}
