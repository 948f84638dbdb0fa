import type { Kysely } from 'kysely'

// Which reviewer works on a case waiting for a person, until when (the console assigns a case to the
// reviewer who opens it, so that two do not work on the same one). One row per session, overwritten by
// the next reviewer once the hold has run out.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('case_assignment')
    .addColumn('session_id', 'text', (column) => column.primaryKey())
    .addColumn('staff_id', 'text', (column) => column.notNull())
    .addColumn('staff_email', 'text', (column) => column.notNull())
    .addColumn('assigned_at', 'bigint', (column) => column.notNull())
    .addColumn('expires_at', 'bigint', (column) => column.notNull())
    .execute()
}
