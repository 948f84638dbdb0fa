import { type Kysely, sql } from 'kysely'

// Decisions taken by a person (`verity review decide`, later the console): who decided what, why and
// when, written in the transaction of the decision itself, so there is no decision without its record.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('review_decision')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('session_id', 'text', (col) => col.notNull().references('verification_session.id'))
    .addColumn('reviewer', 'text', (col) => col.notNull())
    .addColumn('action', 'text', (col) =>
      col.notNull().check(sql`action in ('approve', 'reject', 'resubmit')`),
    )
    .addColumn('reason_code', 'text')
    .addColumn('note', 'text')
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .execute()
  await db.schema.createIndex('review_decision_session').on('review_decision').column('session_id').execute()
}
