import type { Transaction } from 'kysely'
import type { Queryable, RegionDatabase } from '../../db/database.ts'
import { lockNames } from '../../db/row-locks.ts'
import type { AuditAction, AuditLogRow, AuditSubjectType, DB } from '../../db/schema.ts'
import { type Clock, isoTime } from '../../lib/clock.ts'
import type { Keys } from '../../lib/keys.ts'
import {
  CHAIN_BREAKS,
  type ChainBreak,
  type ChainedEntry,
  chainChecker,
  entryHash,
  GENESIS_HASH,
} from './chain.ts'
import * as repo from './repo.ts'

/**
 * Who acted: a staff member of the console, an operator at the CLI (the reviewer they named, else
 * their OS user), a client through its secret key, or the server itself.
 */
export type AuditActor = `staff:${string}` | `cli:${string}` | `client:${string}` | 'system'

/** Ids and codes only: what an entry says must never be personal data in clear. */
export type AuditDetails = Readonly<Record<string, string | number | boolean | null | readonly string[]>>

export type AuditEntryInput = {
  actor: AuditActor
  action: AuditAction
  subject?: { type: AuditSubjectType; id: string }
  details?: AuditDetails
}

export type AuditDeps = { keys: Pick<Keys, 'auditChain'>; clock: Clock }

export type AuditEntry = {
  sequence: number
  occurredAt: string
  actor: string
  action: AuditAction
  subject: { type: AuditSubjectType; id: string } | null
  details: Record<string, unknown>
  prevHash: string
  hash: string
}

const ACTOR = /^(?:system|(?:staff|cli|client):[^\p{Cc}]{1,200})$/u
const DETAIL_KEY = /^[a-z][A-Za-z0-9]{0,63}$/
const MAX_DETAIL_TEXT = 200

/**
 * Details as stored: keys sorted, so one set of details has one text. Long text is refused, since a
 * note or a name has no place here (details name things by id; the note lives in its own record).
 */
const detailsText = (details: AuditDetails): string => {
  const short = (value: unknown) => typeof value !== 'string' || value.length <= MAX_DETAIL_TEXT
  for (const [key, value] of Object.entries(details)) {
    if (!DETAIL_KEY.test(key)) throw new Error(`audit detail key ${JSON.stringify(key)} is not a plain name`)
    if (!(Array.isArray(value) ? value.every(short) : short(value)))
      throw new Error(`audit detail ${key} is longer than ${MAX_DETAIL_TEXT} characters`)
  }
  return JSON.stringify(Object.fromEntries(Object.entries(details).sort(([a], [b]) => (a < b ? -1 : 1))))
}

/** Every append of one database takes this lock; any one name would do, as long as all use it. */
const CHAIN_LOCK = 'audit_log'

/**
 * Appends one entry to the chain of `database`, inside the caller's transaction: the entry commits with
 * the action it records, or neither does. Call it last in that transaction: the chain's lock is then
 * held only until the commit, and never while waiting for another lock (no deadlock with the user or
 * session locks the action took first).
 *
 * Serialized so that the chain never forks: on PostgreSQL a transaction-level advisory lock is taken
 * before the tip is read (READ COMMITTED: the read after the lock sees the previous holder's committed
 * entry); SQLite transactions here are BEGIN IMMEDIATE, so the caller already holds the write lock. The
 * unique index on prev_hash stands behind both.
 */
export const appendAudit = async (
  deps: AuditDeps,
  database: Pick<RegionDatabase, 'dialect' | 'region'>,
  trx: Transaction<DB>,
  entry: AuditEntryInput,
): Promise<AuditEntry> => {
  // A bare connection would commit the entry on its own (and release the advisory lock at once).
  if (!trx.isTransaction) throw new Error('appendAudit needs the transaction of the action it records')
  if (!ACTOR.test(entry.actor)) throw new Error(`audit actor ${JSON.stringify(entry.actor)} is not valid`)
  const details = detailsText(entry.details ?? {})
  await lockNames(database, trx, [CHAIN_LOCK])
  const tip = await repo.chainTip(trx)
  const unsigned: Omit<AuditLogRow, 'hash'> = {
    sequence: (tip?.sequence ?? 0) + 1,
    occurred_at: deps.clock.now(),
    actor: entry.actor,
    action: entry.action,
    subject_type: entry.subject?.type ?? null,
    subject_id: entry.subject?.id ?? null,
    details,
    prev_hash: tip?.hash ?? GENESIS_HASH,
  }
  const row = { ...unsigned, hash: entryHash(deps.keys.auditChain, database.region, chainedOf(unsigned)) }
  await repo.insertEntry(trx, row)
  return toEntry(row)
}

/** The fields the hash covers, from a stored row. */
const chainedOf = (row: Omit<AuditLogRow, 'hash'>): ChainedEntry => ({
  sequence: row.sequence,
  occurredAt: row.occurred_at,
  actor: row.actor,
  action: row.action,
  subjectType: row.subject_type,
  subjectId: row.subject_id,
  details: row.details,
  prevHash: row.prev_hash,
})

const toEntry = (row: AuditLogRow): AuditEntry => ({
  sequence: row.sequence,
  occurredAt: isoTime(row.occurred_at),
  actor: row.actor,
  action: row.action,
  subject:
    row.subject_type === null || row.subject_id === null
      ? null
      : { type: row.subject_type, id: row.subject_id },
  details: JSON.parse(row.details) as Record<string, unknown>,
  prevHash: row.prev_hash,
  hash: row.hash,
})

export type AuditFilter = repo.EntryFilter

/** Entries of one database matching every filter given, newest first (`before`: the next page). */
export const listAuditEntries = async (db: Queryable, filter: AuditFilter): Promise<AuditEntry[]> =>
  (await repo.findEntries(db, filter)).map(toEntry)

export type ChainVerification =
  | { ok: true; entries: number; tip: { sequence: number; hash: string } | null }
  | { ok: false; entries: number; brokenAt: number; action: string; reason: ChainBreak; explanation: string }

const PAGE = 1000

/**
 * Walks the chain of one database in order, page by page, and names the first entry that breaks it:
 * altered content, an altered or missing link to its predecessor, or a gap in the sequence (an entry
 * removed before it). `entries` counts the entries that verified.
 */
export const verifyAuditChain = async (
  database: Pick<RegionDatabase, 'db' | 'region'>,
  keys: Pick<Keys, 'auditChain'>,
): Promise<ChainVerification> => {
  const checker = chainChecker(keys.auditChain, database.region)
  let tip: { sequence: number; hash: string } | null = null
  let verified = 0
  for (;;) {
    const rows = await repo.entriesAfter(database.db, tip?.sequence ?? 0, PAGE)
    for (const row of rows) {
      const reason = checker.check({ ...chainedOf(row), hash: row.hash })
      if (reason)
        return {
          ok: false,
          entries: verified,
          brokenAt: row.sequence,
          action: row.action,
          reason,
          explanation: CHAIN_BREAKS[reason],
        }
      verified += 1
      tip = { sequence: row.sequence, hash: row.hash }
    }
    if (rows.length < PAGE) return { ok: true, entries: verified, tip }
  }
}
