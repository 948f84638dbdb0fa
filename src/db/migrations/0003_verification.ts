import { type Kysely, sql } from 'kysely'

// Verification sessions, their browser claims, and the history of every verificationState change.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('verification_session')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('client_id', 'text', (col) => col.notNull())
    .addColumn('user_id', 'text', (col) => col.notNull().references('app_user.id').onDelete('cascade'))
    .addColumn('kind', 'text', (col) => col.notNull().check(sql`kind in ('user', 'onboarding')`))
    .addColumn('status', 'text', (col) =>
      col.notNull().check(sql`status in ('issued', 'opened', 'submitted', 'expired')`),
    )
    .addColumn('outcome', 'text', (col) =>
      col.check(sql`outcome in ('abandoned', 'resubmission_required', 'approved', 'rejected', 'review')`),
    )
    .addColumn('reasons', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('expires_at', 'bigint', (col) => col.notNull())
    .addColumn('opened_at', 'bigint')
    .addColumn('submitted_at', 'bigint')
    .addColumn('outcome_at', 'bigint')
    .addColumn('reverification', 'integer', (col) => col.notNull())
    .execute()
  await db.schema
    .createIndex('verification_session_user_idx')
    .on('verification_session')
    .columns(['user_id', 'created_at'])
    .execute()
  await db.schema
    .createIndex('verification_session_expiry_idx')
    .on('verification_session')
    .columns(['status', 'expires_at'])
    .execute()

  await db.schema
    .createTable('session_claim')
    .addColumn('session_id', 'text', (col) =>
      col.notNull().references('verification_session.id').onDelete('cascade'),
    )
    .addColumn('digest', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addPrimaryKeyConstraint('session_claim_pk', ['session_id', 'digest'])
    .execute()

  await db.schema
    .createTable('verification_state_transition')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('user_id', 'text', (col) => col.notNull().references('app_user.id').onDelete('cascade'))
    .addColumn('version', 'integer', (col) => col.notNull())
    .addColumn('from_state', 'text', (col) => col.notNull())
    .addColumn('to_state', 'text', (col) => col.notNull())
    .addColumn('cause', 'text', (col) => col.notNull())
    .addColumn('session_id', 'text')
    .addColumn('reasons', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addUniqueConstraint('verification_state_transition_version_unique', ['user_id', 'version'])
    .execute()

  await db.schema.alterTable('app_user').addColumn('limits_reset_at', 'bigint').execute()
}
