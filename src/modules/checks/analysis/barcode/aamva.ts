import { Gender, parse } from 'aamva-parser'
import type { DocumentData } from '../document-data.ts'

const iso = (year: number, month: number, day: number): string | null => {
  const date = new Date(Date.UTC(year, month - 1, day))
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day)
    return null
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`
}

const fromParser = (date: Date | null | undefined): string | null =>
  // aamva-parser builds dates with the local-time constructor: read them back the same way.
  date && !Number.isNaN(date.getTime()) ? iso(date.getFullYear(), date.getMonth() + 1, date.getDate()) : null

/** AAMVA dates: MMDDCCYY in the US, CCYYMMDD in Canada; the parser's reading for older layouts. */
const dateOf = (
  value: string | undefined,
  parsed: Date | null | undefined,
  canadian: boolean,
): string | null => {
  if (value === undefined) return fromParser(parsed)
  if (!/^\d{8}$/.test(value)) return null
  const number = (from: number, to: number) => Number(value.slice(from, to))
  return canadian
    ? iso(number(0, 4), number(4, 6), number(6, 8))
    : iso(number(4, 8), number(0, 2), number(2, 4))
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
 * The data elements of the record, each read where it starts (after a data element separator, or
 * right after the subfile type `DL`/`ID`). aamva-parser finds an element by searching its three-letter
 * identifier anywhere in the text, so a surname containing "DAQ" once gave the licence number "A":
 * the anchored value wins wherever the record has the element.
 */
const HEADER = /ANSI \d{12}(?:[A-Z]{2}\d{8})+(?:DL|ID)(.*)$/

const anchoredElements = (text: string): Map<string, string> => {
  const elements = new Map<string, string>()
  for (const raw of text.split(/[\n\r]/)) {
    // The header line ends with the first subfile's type, then its first element.
    const line = HEADER.exec(raw)?.[1] ?? raw
    const [, id, value] = /^(D[A-Z]{2})(.*)$/.exec(line) ?? []
    if (id && value !== undefined && !elements.has(id)) elements.set(id, value.trim())
  }
  return elements
}

/**
 * The identity data of a US (or Canadian) licence barcode, in the shape every document reader gives.
 * Null when the text is not an AAMVA record with at least a surname and a licence number.
 */
export const documentDataFromAamva = (text: string): DocumentData | null => {
  if (!text.startsWith('@') || !text.includes('ANSI')) return null
  const licence = parse(text)
  const elements = anchoredElements(text)
  const country = (elements.get('DCG') ?? licence.countryCode ?? '').trim().toUpperCase()
  const canadian = country === 'CAN'
  const surname = namePart(elements.get('DCS') ?? licence.lastName)
  const documentNumber = namePart(elements.get('DAQ') ?? licence.driversLicenseId)
  if (!surname || !documentNumber) return null
  const given = [elements.get('DAC') ?? licence.firstName, elements.get('DAD') ?? licence.middleName]
  const sexCode = elements.get('DBC')
  return {
    source: 'pdf417',
    format: 'AAMVA',
    documentCode: 'DL',
    documentNumber,
    issuingCountry: canadian ? 'CAN' : 'USA',
    nationality: null,
    surname,
    givenNames: given.map(namePart).filter(Boolean).join(' '),
    dateOfBirth: dateOf(elements.get('DBB'), licence.dateOfBirth, canadian),
    expiryDate: dateOf(elements.get('DBA'), licence.expirationDate, canadian),
    sex:
      sexCode === '1'
        ? 'male'
        : sexCode === '2'
          ? 'female'
          : sexCode === '9'
            ? 'unspecified'
            : licence.gender
              ? (SEXES[licence.gender] ?? null)
              : null,
    checkDigits: [],
  }
}
