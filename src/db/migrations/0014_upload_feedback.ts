import { type Kysely, sql } from 'kysely'

// The fast checks' verdict on one upload, while the user is still on the page: the hosted page polls it
// and asks for a retake with the reason. One row per uploaded document; a retake is a new document.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('upload_feedback')
    .addColumn('document_id', 'text', (col) => col.primaryKey())
    .addColumn('session_id', 'text', (col) => col.notNull().references('verification_session.id'))
    .addColumn('slot', 'text', (col) => col.notNull())
    .addColumn('outcome', 'text', (col) => col.notNull().check(sql`outcome in ('ok', 'retake')`))
    .addColumn('reason_code', 'text')
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .execute()
  await db.schema.createIndex('upload_feedback_session').on('upload_feedback').column('session_id').execute()
}
