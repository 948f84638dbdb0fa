import { type Kysely, sql } from 'kysely'

// Limits on outgoing codes (issue #10, items 3 and 5): a per-client hourly budget per channel, the
// phone numbers each contact verification has texted, and one row per address whose row lock
// serializes concurrent code issuers for it (so the per-address counts cannot be raced past).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('message_budget')
    .addColumn('client_id', 'text', (col) => col.notNull())
    .addColumn('channel', 'text', (col) => col.notNull().check(sql`channel in ('email', 'sms')`))
    .addColumn('window_start', 'bigint', (col) => col.notNull())
    .addColumn('sent', 'integer', (col) => col.notNull())
    .addPrimaryKeyConstraint('message_budget_pk', ['client_id', 'channel', 'window_start'])
    .execute()

  await db.schema
    .createTable('contact_verification_phone')
    .addColumn('contact_verification_id', 'text', (col) =>
      col.notNull().references('contact_verification.id').onDelete('cascade'),
    )
    .addColumn('phone', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addPrimaryKeyConstraint('contact_verification_phone_pk', ['contact_verification_id', 'phone'])
    .execute()

  await db.schema
    .createTable('code_address')
    .addColumn('target', 'text', (col) => col.primaryKey())
    .addColumn('last_code_at', 'bigint', (col) => col.notNull())
    .execute()
  // Sandbox clients' codes go to the outbox only: they never reach the address, so they do not count
  // towards its global ceiling (a widely shared sandbox key must not be a way to block a real person).
  await db.schema
    .alterTable('verification_code')
    .addColumn('delivery', 'text', (col) =>
      col.notNull().defaultTo('provider').check(sql`delivery in ('provider', 'outbox')`),
    )
    .execute()
  // The global per-address ceiling counts every purpose and client.
  await db.schema
    .createIndex('verification_code_target_created_idx')
    .on('verification_code')
    .columns(['target', 'created_at'])
    .execute()
}
