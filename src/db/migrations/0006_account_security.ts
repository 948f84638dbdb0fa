import type { Kysely } from 'kysely'

// Account security: login failures counted per account and source address (and per account alone, more
// slowly) in their own table, so that the count is reserved atomically before a password is checked and
// unknown emails behave exactly like known ones; the login OTP challenge a correct password opens; the
// identity snapshot a submission is checked against.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('login_failure')
    .addColumn('client_id', 'text', (col) => col.notNull())
    .addColumn('email_key', 'text', (col) => col.notNull())
    .addColumn('address_key', 'text', (col) => col.notNull())
    .addColumn('failures', 'integer', (col) => col.notNull())
    .addColumn('window_started_at', 'bigint', (col) => col.notNull())
    .addColumn('locked_until', 'bigint')
    .addPrimaryKeyConstraint('login_failure_pk', ['client_id', 'email_key', 'address_key'])
    .execute()
  await db.schema
    .createIndex('login_failure_window_idx')
    .on('login_failure')
    .column('window_started_at')
    .execute()

  await db.schema.alterTable('app_user').dropColumn('failed_login_count').execute()
  await db.schema.alterTable('app_user').dropColumn('locked_until').execute()
  await db.schema.alterTable('app_user').addColumn('login_challenge_until', 'bigint').execute()

  await db.schema.alterTable('verification_session').addColumn('identity_sealed', 'text').execute()
  await db.schema.alterTable('verification_session').addColumn('identity_digest', 'text').execute()
  await db.schema
    .alterTable('verification_session')
    .addColumn('identity_includes_address', 'integer', (col) => col.notNull().defaultTo(0))
    .execute()
  await db.schema.alterTable('verification_state_transition').addColumn('identity_digest', 'text').execute()
}
