import type { Insertable } from 'kysely'
import type { Queryable } from '../../db/database.ts'
import type { AuditAction, AuditLogTable, AuditSubjectType } from '../../db/schema.ts'

/** The last entry of the chain (read under the append lock), or undefined while it is empty. */
export const chainTip = (db: Queryable) =>
  db
    .selectFrom('audit_log')
    .select(['sequence', 'hash'])
    .orderBy('sequence', 'desc')
    .limit(1)
    .executeTakeFirst()

/** The entry at one position of the chain, if there is one. */
export const entryAt = (db: Queryable, sequence: number) =>
  db.selectFrom('audit_log').select(['sequence', 'hash']).where('sequence', '=', sequence).executeTakeFirst()

export const insertEntry = (db: Queryable, row: Insertable<AuditLogTable>) =>
  db.insertInto('audit_log').values(row).execute()

/** Entries after `sequence`, oldest first: the chain read page by page. */
export const entriesAfter = (db: Queryable, sequence: number, limit: number) =>
  db
    .selectFrom('audit_log')
    .selectAll()
    .where('sequence', '>', sequence)
    .orderBy('sequence')
    .limit(limit)
    .execute()

export type EntryFilter = {
  subjectType?: AuditSubjectType
  subjectId?: string
  actor?: string
  action?: AuditAction
  /** Only entries before this sequence number (the next page of a newest-first listing). */
  before?: number
  limit: number
}

/** Entries matching every filter given, newest first. */
export const findEntries = (db: Queryable, filter: EntryFilter) => {
  let query = db.selectFrom('audit_log').selectAll()
  if (filter.subjectType !== undefined) query = query.where('subject_type', '=', filter.subjectType)
  if (filter.subjectId !== undefined) query = query.where('subject_id', '=', filter.subjectId)
  if (filter.actor !== undefined) query = query.where('actor', '=', filter.actor)
  if (filter.action !== undefined) query = query.where('action', '=', filter.action)
  if (filter.before !== undefined) query = query.where('sequence', '<', filter.before)
  return query.orderBy('sequence', 'desc').limit(filter.limit).execute()
}
