import { createHash } from 'node:crypto'
import type { Databases } from '../../db/database.ts'
import { REGIONS } from '../../db/database.ts'
import type { SanctionsEntryRow, SanctionsFormat } from '../../db/schema.ts'
import { enqueueJob } from '../../jobs/queue.ts'
import type { Clock } from '../../lib/clock.ts'
import { AppError } from '../../lib/errors.ts'
import { newId } from '../../lib/ids.ts'
import { nameTokens, soundexCodes } from '../names/index.ts'
import type { ListedEntry, ParsedList } from './listed-entry.ts'
import { deleteReplacedEntries, insertEntries, insertListVersion, replaceCurrentVersion } from './repo.ts'
import { rescreenVerifiedUsers } from './rescreen-job-type.ts'
import type { StoredName } from './stored-name.ts'

const DEFAULT_LIST_NAME: Record<SanctionsFormat, string | undefined> = {
  'ofac-sdn-csv': 'ofac-sdn',
  'un-xml': 'un-consolidated',
  csv: undefined,
}

export type ListFile = { name: string; content: Buffer }

export type ImportRequest = {
  file: ListFile
  /** OFAC only: alt.csv, the aliases of sdn.csv's entries. */
  aliases?: ListFile
  /** Guessed from the file when absent: `.xml` is the UN list, a CSV with our header ours, else OFAC. */
  format?: SanctionsFormat
  /** Defaults to ofac-sdn / un-consolidated; required for our CSV format. */
  list?: string
}

/** Told how far an import is (the CLI draws a progress bar from it on a terminal). */
export type ImportProgress = { start(total: number): void; advance(by: number): void; stop(): void }

const guessFormat = ({ name, content }: ListFile): SanctionsFormat => {
  if (/\.xml$/i.test(name)) return 'un-xml'
  const firstLine =
    content
      .subarray(0, 512)
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .split(/\r?\n/)[0] ?? ''
  return /(^|,)\s*"?name"?\s*(,|$)/i.test(firstLine) ? 'csv' : 'ofac-sdn-csv'
}

// Each parser (with its CSV or XML library) loads when a list of its format is imported, not with
// every process that opens the runtime (issue #15).
const parseList = async (format: SanctionsFormat, request: ImportRequest): Promise<ParsedList> => {
  const text = (file: ListFile) => file.content.toString('utf8')
  if (request.aliases && format !== 'ofac-sdn-csv')
    throw new AppError('VALIDATION_ERROR', { message: '--aliases is for the OFAC format (alt.csv) only' })
  if (format === 'ofac-sdn-csv')
    return (await import('./ofac.ts')).parseOfacSdn(
      text(request.file),
      request.aliases ? text(request.aliases) : undefined,
    )
  if (format === 'un-xml') return (await import('./un.ts')).parseUnConsolidated(text(request.file))
  return (await import('./own-csv.ts')).parseOwnCsv(text(request.file))
}

/** The names an entry is screened under, normalised once here rather than at every screening. */
const storedNames = (entry: ListedEntry): StoredName[] =>
  [
    { name: entry.name, alias: false, weak: false },
    ...entry.aliases.map((alias) => ({ name: alias.name, alias: true, weak: alias.weak })),
  ].flatMap((each) => {
    const tokens = nameTokens(each.name)
    return tokens.length === 0 ? [] : [{ ...each, tokens, soundex: soundexCodes(tokens) }]
  })

/** The rows of a version's entries, names normalised and Soundex-coded once, here. */
export const entryRows = (versionId: string, entries: readonly ListedEntry[]): SanctionsEntryRow[] =>
  entries.map((entry) => ({
    id: newId('sanctionsEntry'),
    version_id: versionId,
    reference: entry.reference,
    kind: entry.kind,
    primary_name: entry.name,
    names: JSON.stringify(storedNames(entry)),
    dates_of_birth: JSON.stringify(entry.datesOfBirth),
    nationalities: JSON.stringify(entry.nationalities),
    programs: JSON.stringify(entry.programs),
    source_line: entry.line,
  }))

const LIST_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/

/**
 * Imports one list file as the new version of its list. Everything is read and checked first; then one
 * transaction in the home database replaces the list's current version with this one (the old entries
 * go), and queues the re-screening of every region's verified users. A malformed file changes nothing.
 */
export const importSanctionsList = async (
  deps: { databases: Databases; clock: Clock },
  request: ImportRequest,
  progress?: ImportProgress,
) => {
  const format = request.format ?? guessFormat(request.file)
  const list = (request.list ?? DEFAULT_LIST_NAME[format])?.trim().toLowerCase()
  if (!list) throw new AppError('VALIDATION_ERROR', { message: '--list NAME is required for the csv format' })
  if (!LIST_NAME.test(list))
    throw new AppError('VALIDATION_ERROR', {
      message: '--list must be lower-case letters, digits, dots, dashes or underscores (at most 64)',
    })
  const parsed = await parseList(format, request)
  if (parsed.entries.length === 0)
    throw new AppError('VALIDATION_ERROR', {
      message: 'sanctions file: no entries (an empty list is not imported)',
    })

  const hash = createHash('sha256').update(request.file.content)
  if (request.aliases) hash.update(request.aliases.content)
  const sha256 = hash.digest('hex')
  const now = deps.clock.now()
  const versionId = newId('sanctionsVersion')
  const rows = entryRows(versionId, parsed.entries)
  const nameCount = rows.reduce((sum, row) => sum + (JSON.parse(row.names) as unknown[]).length, 0)

  const home = deps.databases.home
  progress?.start(rows.length)
  try {
    const replaced = await home.db.transaction().execute(async (trx) => {
      const previous = await replaceCurrentVersion(trx, list, now)
      await insertListVersion(trx, {
        id: versionId,
        list_name: list,
        format,
        file_name: request.aliases ? `${request.file.name} + ${request.aliases.name}` : request.file.name,
        file_sha256: sha256,
        entry_count: rows.length,
        name_count: nameCount,
        published_at: parsed.publishedAt,
        imported_at: now,
        replaced_at: null,
      })
      await insertEntries(trx, rows, (count) => progress?.advance(count))
      await deleteReplacedEntries(trx, list)
      for (const region of REGIONS)
        await enqueueJob(
          trx,
          deps.clock,
          rescreenVerifiedUsers,
          { listVersionId: versionId, region, afterUserId: null },
          { dedupeKey: `sanctions.rescreen:${versionId}:${region}:start` },
        )
      return previous ?? null
    })
    return {
      list,
      versionId,
      format,
      entries: rows.length,
      names: nameCount,
      sha256,
      publishedAt: parsed.publishedAt,
      replacedVersionId: replaced,
    }
  } finally {
    progress?.stop()
  }
}
