import { DOCUMENT_TYPES, type DocumentType } from '../db/schema.ts'
import { normalizeCountry } from '../lib/validators.ts'

/**
 * Which documents a region accepts and whom it refuses (issue #12, document acceptance; the validity
 * check reads the minimum age). A client's own settings only ever narrow it (checks/policy.ts).
 */
export type DocumentPolicy = {
  documentTypes: readonly DocumentType[]
  /** ISO 3166-1 alpha-2 issuing countries accepted, or `any`. */
  issuingCountries: readonly string[] | 'any'
  /** ISO 3166-1 alpha-2 countries refused as country of residence or of issue (RESTRICTED_COUNTRY). */
  restrictedCountries: readonly string[]
  minimumAge: number
}

/** Comma-separated document types, each one of DOCUMENT_TYPES; at least one. */
export const parseDocumentTypes = (raw: string, problems: string[], name: string): DocumentType[] => {
  const values = [
    ...new Set(
      raw
        .split(',')
        .map((value) => value.trim().toLowerCase())
        .filter(Boolean),
    ),
  ]
  const unknown = values.filter((value) => !(DOCUMENT_TYPES as readonly string[]).includes(value))
  if (values.length === 0 || unknown.length > 0)
    problems.push(
      `${name}: expected a comma list of ${DOCUMENT_TYPES.join(', ')}${unknown.length > 0 ? `; unknown: ${unknown.join(', ')}` : ''}`,
    )
  return values.filter((value): value is DocumentType => !unknown.includes(value))
}

/** Comma-separated ISO 3166-1 alpha-2 codes (upper-cased); `none` or nothing for an empty list. */
export const parseCountries = (raw: string, problems: string[], name: string): string[] => {
  const values = raw
    .split(',')
    .map((value) => value.trim())
    .filter(Boolean)
  if (values.length === 1 && values[0]?.toLowerCase() === 'none') return []
  const codes = values.map((value) => normalizeCountry(value))
  const unknown = values.filter((_, index) => codes[index] === undefined)
  if (unknown.length > 0)
    problems.push(`${name}: not ISO 3166-1 alpha-2 country codes: ${unknown.join(', ')}`)
  return [...new Set(codes.filter((code): code is string => code !== undefined))].sort()
}

/** `any`, or a non-empty comma list of alpha-2 codes. */
export const parseIssuingCountries = (raw: string, problems: string[], name: string): string[] | 'any' => {
  if (raw.trim().toLowerCase() === 'any') return 'any'
  const countries = parseCountries(raw, problems, name)
  if (countries.length === 0) problems.push(`${name}: expected "any" or at least one country code`)
  return countries
}
