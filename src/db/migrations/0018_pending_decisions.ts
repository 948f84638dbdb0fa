import { type Kysely, sql } from 'kysely'

// Four-eyes decisions (issue #13 item 4): a decision that needs a second person is kept here, proposed
// and undecided, until another reviewer confirms it (or a newer proposal or decision supersedes it).
// Region database, beside the session it is about. The confirmer of an applied decision is recorded
// with its review record.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('pending_decision')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('session_id', 'text', (col) => col.notNull().references('verification_session.id'))
    .addColumn('action', 'text', (col) => col.notNull().check(sql`action in ('approve', 'reject')`))
    .addColumn('reason_code', 'text')
    .addColumn('note', 'text')
    .addColumn('proposed_by', 'text', (col) => col.notNull())
    .addColumn('proposed_by_email', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('resolved_at', 'bigint')
    .addColumn('resolved_by', 'text')
    .addColumn('resolution', 'text', (col) =>
      col.check(sql`resolution in ('confirmed', 'withdrawn', 'superseded')`),
    )
    // Open, or resolved with how and by whom: never half of it.
    .addCheckConstraint(
      'pending_decision_resolved',
      sql`(resolved_at is null and resolution is null and resolved_by is null) or (resolved_at is not null and resolution is not null and resolved_by is not null)`,
    )
    .execute()
  // At most one open proposal per session, on both dialects: two reviewers proposing at once cannot
  // leave two decisions waiting to be confirmed.
  await db.schema
    .createIndex('pending_decision_open')
    .on('pending_decision')
    .column('session_id')
    .unique()
    .where(sql.ref('resolved_at'), 'is', null)
    .execute()
  await db.schema
    .createIndex('pending_decision_session')
    .on('pending_decision')
    .column('session_id')
    .execute()
  await db.schema.alterTable('review_decision').addColumn('confirmed_by', 'text').execute()
}
