import { type Kysely, sql } from 'kysely'

// What each automated check concluded about a submission, with the versions that produced it and its
// evidence sealed (it holds personal data: extracted fields, names, scores). One row per check and
// session: a check job that runs again after a crash writes the same rows again, it does not add any.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('check_result')
    .addColumn('session_id', 'text', (col) => col.notNull().references('verification_session.id'))
    .addColumn('check_id', 'text', (col) => col.notNull())
    .addColumn('check_version', 'text', (col) => col.notNull())
    .addColumn('outcome', 'text', (col) =>
      col.notNull().check(sql`outcome in ('pass', 'fail', 'inconclusive')`),
    )
    .addColumn('reason_code', 'text')
    .addColumn('score', 'real')
    .addColumn('evidence_sealed', 'text')
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addPrimaryKeyConstraint('check_result_pk', ['session_id', 'check_id'])
    .execute()
}
