import countries from 'i18n-iso-countries'
import english from 'i18n-iso-countries/langs/en.json' with { type: 'json' }
import type { SanctionsEntryKind } from '../../db/schema.ts'
import { AppError } from '../../lib/errors.ts'

countries.registerLocale(english)

/** One listed person or organisation, as a parser reads it from a list file. */
export type ListedEntry = {
  /** The publisher's id (OFAC ent_num, UN REFERENCE_NUMBER, the reference column of our CSV). */
  reference: string
  kind: SanctionsEntryKind
  name: string
  /** Other names; `weak` for the ones the publisher itself calls low quality (UN `QUALITY=Low`). */
  aliases: { name: string; weak: boolean }[]
  /** `YYYY-MM-DD`, `YYYY-MM`, `YYYY` or `YYYY/YYYY` (a range of years). */
  datesOfBirth: string[]
  /** ISO 3166-1 alpha-3. */
  nationalities: string[]
  programs: string[]
  /** 1-based line of the file where the entry starts. */
  line: number
}

export type ParsedList = { entries: ListedEntry[]; publishedAt: string | null }

/** A list file that cannot be imported: the line is where the problem is. Nothing is imported then. */
export const malformed = (line: number | string | undefined, problem: string): AppError =>
  new AppError('VALIDATION_ERROR', {
    message: line === undefined ? `sanctions file, ${problem}` : `sanctions file, line ${line}: ${problem}`,
  })

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']
const pad = (value: number) => String(value).padStart(2, '0')

/**
 * A date of birth as lists write it: `10 Jun 1960`, `Jun 1960`, `1960`, `circa 1960` (± a year),
 * `1955 to 1957`, `1960-06-10`. Undefined when it is none of those (it is then not used to compare).
 */
export const parseListedDate = (text: string): string | undefined => {
  const value = text.trim().toLowerCase().replace(/\.$/, '')
  const range = /^(.*\d{4})\s*(?:to|-|–)\s*(.*\d{4})$/.exec(value)
  if (range && !/^\d{4}-\d{2}/.test(value)) {
    const from = /(\d{4})$/.exec(range[1] ?? '')?.[1]
    const to = /(\d{4})$/.exec(range[2] ?? '')?.[1]
    return from && to ? `${from}/${to}` : undefined
  }
  const circa = /^(?:circa|approximately|approx\.?|c\.)\s*(\d{4})$/.exec(value)
  if (circa) return `${Number(circa[1]) - 1}/${Number(circa[1]) + 1}`
  const iso = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(value)
  if (iso) return value
  const written = /^(?:(\d{1,2})\s+)?([a-z]{3})[a-z]*\.?\s+(\d{4})$/.exec(value)
  if (written) {
    const month = MONTHS.indexOf(written[2] ?? '') + 1
    if (month === 0) return undefined
    return written[1]
      ? `${written[3]}-${pad(month)}-${pad(Number(written[1]))}`
      : `${written[3]}-${pad(month)}`
  }
  return undefined
}

// How OFAC and the UN write some countries that the ISO English names do not cover.
const COUNTRY_ALIASES: Readonly<Record<string, string>> = {
  syria: 'SYR',
  'syrian arab republic': 'SYR',
  burma: 'MMR',
  'korea, north': 'PRK',
  "democratic people's republic of korea": 'PRK',
  'korea, south': 'KOR',
  'congo, democratic republic of the': 'COD',
  'democratic republic of the congo': 'COD',
  'iran (islamic republic of)': 'IRN',
  'russian federation': 'RUS',
  'united states': 'USA',
  palestinian: 'PSE',
}

/** An ISO alpha-3 code for a country as a list or a user gives it (name, alpha-2, alpha-3). */
export const countryCode = (text: string): string | undefined => {
  const value = text.trim().replace(/\.$/, '')
  if (/^[A-Za-z]{3}$/.test(value) && countries.isValid(value.toUpperCase())) return value.toUpperCase()
  if (/^[A-Za-z]{2}$/.test(value)) return countries.alpha2ToAlpha3(value.toUpperCase())
  return COUNTRY_ALIASES[value.toLowerCase()] ?? countries.getAlpha3Code(value, 'en')
}

export const unique = <T>(values: readonly T[]): T[] => [...new Set(values)]
