import type { Insertable } from 'kysely'
import type { Queryable } from '../../db/database.ts'
import type {
  SanctionsEntryRow,
  SanctionsEntryTable,
  SanctionsListVersionRow,
  SanctionsListVersionTable,
  ScreeningAlertRow,
  ScreeningAlertStatus,
  ScreeningAlertTable,
} from '../../db/schema.ts'

export const currentListVersions = (db: Queryable): Promise<SanctionsListVersionRow[]> =>
  db
    .selectFrom('sanctions_list_version')
    .selectAll()
    .where('replaced_at', 'is', null)
    .orderBy('list_name')
    .execute()

export const allListVersions = (db: Queryable): Promise<SanctionsListVersionRow[]> =>
  db
    .selectFrom('sanctions_list_version')
    .selectAll()
    .orderBy('list_name')
    .orderBy('imported_at', 'desc')
    .orderBy('id', 'desc')
    .execute()

export const findListVersion = (db: Queryable, id: string) =>
  db.selectFrom('sanctions_list_version').selectAll().where('id', '=', id).executeTakeFirst()

/** Marks the current version of a list replaced; answers its id, if there was one. */
export const replaceCurrentVersion = async (
  db: Queryable,
  listName: string,
  at: number,
): Promise<string | undefined> => {
  const current = await db
    .updateTable('sanctions_list_version')
    .set({ replaced_at: at })
    .where('list_name', '=', listName)
    .where('replaced_at', 'is', null)
    .returning('id')
    .executeTakeFirst()
  return current?.id
}

export const insertListVersion = async (
  db: Queryable,
  row: Insertable<SanctionsListVersionTable>,
): Promise<void> => {
  await db.insertInto('sanctions_list_version').values(row).execute()
}

// Well below SQLite's limit on bound parameters (10 columns a row).
const ENTRY_BATCH = 200

export const insertEntries = async (
  db: Queryable,
  rows: Insertable<SanctionsEntryTable>[],
  onBatch?: (count: number) => void,
): Promise<void> => {
  for (let at = 0; at < rows.length; at += ENTRY_BATCH) {
    const batch = rows.slice(at, at + ENTRY_BATCH)
    await db.insertInto('sanctions_entry').values(batch).execute()
    onBatch?.(batch.length)
  }
}

/** The entries of every version of the list that is not current any more. */
export const deleteReplacedEntries = async (db: Queryable, listName: string): Promise<void> => {
  await db
    .deleteFrom('sanctions_entry')
    .where(
      'version_id',
      'in',
      db
        .selectFrom('sanctions_list_version')
        .select('id')
        .where('list_name', '=', listName)
        .where('replaced_at', 'is not', null),
    )
    .execute()
}

export const entriesOfVersions = (db: Queryable, versionIds: string[]): Promise<SanctionsEntryRow[]> =>
  versionIds.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('sanctions_entry')
        .selectAll()
        .where('version_id', 'in', versionIds)
        .orderBy('version_id')
        .orderBy('source_line')
        .execute()

/** Opens alerts; one already raised for the same user and entry (open or resolved) is left as it is. */
export const insertAlerts = async (
  db: Queryable,
  rows: Insertable<ScreeningAlertTable>[],
): Promise<number> => {
  let opened = 0
  for (const row of rows) {
    const inserted = await db
      .insertInto('screening_alert')
      .values(row)
      .onConflict((conflict) => conflict.columns(['user_id', 'list_name', 'entry_reference']).doNothing())
      .executeTakeFirst()
    opened += Number(inserted.numInsertedOrUpdatedRows ?? 0)
  }
  return opened
}

export const alertsByStatus = (
  db: Queryable,
  statuses: readonly ScreeningAlertStatus[],
  limit: number,
): Promise<ScreeningAlertRow[]> =>
  db
    .selectFrom('screening_alert')
    .selectAll()
    .where('status', 'in', [...statuses])
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit)
    .execute()

export const findAlert = (db: Queryable, id: string) =>
  db.selectFrom('screening_alert').selectAll().where('id', '=', id).executeTakeFirst()

/** Resolves an open alert; false when it was not open any more (someone resolved it meanwhile). */
export const resolveAlert = async (
  db: Queryable,
  id: string,
  resolution: { status: Exclude<ScreeningAlertStatus, 'open'>; at: number; by: string; note: string | null },
): Promise<boolean> => {
  const updated = await db
    .updateTable('screening_alert')
    .set({
      status: resolution.status,
      resolved_at: resolution.at,
      resolved_by: resolution.by,
      resolution_note: resolution.note,
    })
    .where('id', '=', id)
    .where('status', '=', 'open')
    .executeTakeFirst()
  return Number(updated.numUpdatedRows) === 1
}
