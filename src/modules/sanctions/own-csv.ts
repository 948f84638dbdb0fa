import { SANCTIONS_ENTRY_KINDS, type SanctionsEntryKind } from '../../db/schema.ts'
import {
  countryCode,
  type ListedEntry,
  malformed,
  type ParsedList,
  parseListedDate,
  unique,
} from './listed-entry.ts'
import { csvRows } from './ofac.ts'

/**
 * Verity's own list format, for lists no publisher ships in a format above (a regulator's PDF typed in,
 * an internal blocklist). UTF-8 CSV with a header row; `name` is required, every other column optional:
 *
 *   reference,name,aliases,kind,dates_of_birth,nationalities,programs
 *   X-1,"HUSSEIN, Mohammed Ali",Abu Ali;M. A. Hussein,individual,1960-06-10;1961,IQ;IRQ,internal
 *
 * Several values in a cell are separated by `;`. Dates are `YYYY-MM-DD`, `YYYY-MM`, `YYYY` or a range
 * `YYYY/YYYY`; nationalities alpha-2, alpha-3 or English names; kind one of individual, entity, vessel,
 * aircraft (individual when empty); reference defaults to the line number.
 */
const COLUMNS = ['reference', 'name', 'aliases', 'kind', 'dates_of_birth', 'nationalities', 'programs']

const values = (cell: string | undefined) =>
  (cell ?? '')
    .split(';')
    .map((value) => value.trim())
    .filter(Boolean)

export const parseOwnCsv = (text: string): ParsedList => {
  const [header, ...rows] = csvRows(text, 'as-header')
  if (!header) throw malformed(undefined, 'no header: the file is empty')
  const names = header.record.map((cell) => cell.trim().toLowerCase())
  const unknown = names.filter((name) => !COLUMNS.includes(name))
  if (!names.includes('name') || unknown.length > 0)
    throw malformed(
      header.line,
      `the header must name a "name" column and only these: ${COLUMNS.join(', ')}${unknown.length > 0 ? ` (unknown: ${unknown.join(', ')})` : ''}`,
    )
  const seen = new Set<string>()
  return {
    publishedAt: null,
    entries: rows.map(({ record, line }): ListedEntry => {
      const cell = (column: string) => {
        const at = names.indexOf(column)
        return at < 0 ? undefined : record[at]?.trim()
      }
      const name = cell('name')
      if (!name) throw malformed(line, 'the name is empty')
      const reference = cell('reference') || `line-${line}`
      if (seen.has(reference)) throw malformed(line, `reference ${reference} appears twice`)
      seen.add(reference)
      const kind = (cell('kind') || 'individual').toLowerCase()
      if (!SANCTIONS_ENTRY_KINDS.includes(kind as SanctionsEntryKind))
        throw malformed(line, `unknown kind "${kind}" (individual, entity, vessel or aircraft)`)
      const datesOfBirth = values(cell('dates_of_birth')).map((value) => {
        const range = /^(\d{4})\/(\d{4})$/.exec(value)
        const date = range ? value : parseListedDate(value)
        if (!date)
          throw malformed(line, `date of birth "${value}" is not YYYY-MM-DD, YYYY-MM, YYYY or YYYY/YYYY`)
        return date
      })
      const nationalities = values(cell('nationalities')).map((value) => {
        const code = countryCode(value)
        if (!code) throw malformed(line, `nationality "${value}" is not a country`)
        return code
      })
      return {
        reference,
        kind: kind as SanctionsEntryKind,
        name,
        aliases: values(cell('aliases')).map((alias) => ({ name: alias, weak: false })),
        datesOfBirth: unique(datesOfBirth),
        nationalities: unique(nationalities),
        programs: values(cell('programs')),
        line,
      }
    }),
  }
}
