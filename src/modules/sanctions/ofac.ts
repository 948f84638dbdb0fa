import { parse } from 'csv-parse/sync'
import {
  countryCode,
  type ListedEntry,
  malformed,
  type ParsedList,
  parseListedDate,
  unique,
} from './listed-entry.ts'

/**
 * OFAC's SDN list as CSV (https://ofac.treasury.gov/sdn-list-data-formats-data-schemas), read the way
 * Moov Watchman reads it (pkg/sources/ofac/reader.go): sdn.csv has 12 columns and no header; `-0-` is
 * null; names are `LAST, First Middle`; date of birth and nationality are in the free-text Remarks
 * (`DOB 10 Jun 1960; POB Baghdad, Iraq; nationality Iraq; …`). The aliases are in alt.csv (5 columns:
 * ent_num, alt_num, alt_type, alt_name, remarks).
 *
 * Where Watchman skips a row it cannot read, this refuses the whole file with the row's line: a
 * silently dropped row is a sanctioned person nobody screens against.
 */
const SDN_COLUMNS = 12
const ALT_COLUMNS = 5

const nullable = (value: string | undefined) => {
  const trimmed = value?.trim() ?? ''
  return trimmed === '' || trimmed === '-0-' ? undefined : trimmed
}

// OFAC's files end with an ASCII SUB (Ctrl-Z) end-of-file marker on a line of its own.
const END_OF_FILE = String.fromCharCode(0x1a)
const withoutEndMarker = (text: string) => {
  const end = text.lastIndexOf(END_OF_FILE)
  return end >= 0 && text.slice(end + 1).trim() === '' ? text.slice(0, end) : text
}

/** A CSV record and the line it starts on (a quoted field may run over several lines). */
type Row = { record: string[]; line: number }

const where = (start: number, end: number) => (start === end ? `${start}` : `${start}–${end}`)

/** The records of a CSV file, each with `columns` fields (or as many as the header row has). */
export const csvRows = (text: string, columns: number | 'as-header'): Row[] => {
  let records: { record: string[]; info: { lines: number } }[]
  try {
    records = parse(withoutEndMarker(text), {
      bom: true,
      info: true,
      relax_quotes: true,
      skip_empty_lines: true,
      relax_column_count: true,
    }) as unknown as typeof records
  } catch (error) {
    const lines = (error as { lines?: number }).lines
    if (lines !== undefined) throw malformed(lines, (error as Error).message.replace(/ on line \d+$/, ''))
    throw error
  }
  const expected = columns === 'as-header' ? (records[0]?.record.length ?? 0) : columns
  let previousEnd = 0
  return records.map(({ record, info }) => {
    const start = previousEnd + 1
    previousEnd = info.lines
    if (record.length !== expected)
      throw malformed(where(start, info.lines), `expected ${expected} fields, found ${record.length}`)
    return { record, line: start }
  })
}

const KINDS: Readonly<Record<string, ListedEntry['kind']>> = {
  individual: 'individual',
  vessel: 'vessel',
  aircraft: 'aircraft',
}

const remarksFacts = (remarks: string) => {
  const datesOfBirth: string[] = []
  const nationalities: string[] = []
  for (const part of remarks.split(';')) {
    const dob = /^\s*(?:alt\.\s*)?DOB\s+(.+)$/i.exec(part)
    if (dob?.[1]) {
      const date = parseListedDate(dob[1])
      if (date) datesOfBirth.push(date)
    }
    const nationality = /^\s*(?:alt\.\s*)?(?:nationality|citizen)\s+(.+)$/i.exec(part)
    if (nationality?.[1]) {
      const code = countryCode(nationality[1])
      if (code) nationalities.push(code)
    }
  }
  return { datesOfBirth: unique(datesOfBirth), nationalities: unique(nationalities) }
}

export const parseOfacSdn = (sdnCsv: string, altCsv?: string): ParsedList => {
  const entries = new Map<string, ListedEntry>()
  for (const { record, line } of csvRows(sdnCsv, SDN_COLUMNS)) {
    const reference = nullable(record[0])
    const name = nullable(record[1])
    if (!reference || !/^\d+$/.test(reference))
      throw malformed(line, `ent_num "${record[0]}" is not a number`)
    if (!name) throw malformed(line, 'the SDN_Name is empty')
    if (entries.has(reference)) throw malformed(line, `ent_num ${reference} appears twice`)
    const type = nullable(record[2])?.toLowerCase()
    // Malformed programme lists occur (`SDGT] [IFSR`): keep the codes, drop the brackets.
    const programs = unique(
      (nullable(record[3]) ?? '')
        .split(/[\][;]+/)
        .map((program) => program.trim())
        .filter(Boolean),
    )
    entries.set(reference, {
      reference,
      kind: type === undefined ? 'entity' : (KINDS[type] ?? 'unknown'),
      name,
      aliases: [],
      ...remarksFacts(nullable(record[11]) ?? ''),
      programs,
      line,
    })
  }
  if (altCsv !== undefined) {
    for (const { record, line } of csvRows(altCsv, ALT_COLUMNS)) {
      const entry = entries.get(nullable(record[0]) ?? '')
      const name = nullable(record[3])
      if (!entry) throw malformed(line, `alias of ent_num ${record[0]}, which sdn.csv does not list`)
      if (name) entry.aliases.push({ name, weak: false })
    }
  }
  return { entries: [...entries.values()], publishedAt: null }
}
