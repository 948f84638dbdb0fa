import { type Kysely, PostgresAdapter, sql } from 'kysely'

const APPEND_ONLY_TABLES = ['consent_set', 'consent_record', 'consent_link', 'consent_audit'] as const

// Consent v2 (issue #14 item 6), in the region database of the user it is about. Every table is
// append-only, like audit_log: a revocation is a new consent_record that supersedes the one it revokes,
// a link is a consent_link row, and each of them leaves a consent_audit record. Triggers refuse UPDATE
// and DELETE (and TRUNCATE on PostgreSQL) for every writer, the server included.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('consent_set')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('client_id', 'text', (col) => col.notNull())
    .addColumn('onboarding_id', 'text', (col) => col.notNull())
    .addColumn('policy_type', 'text', (col) => col.notNull().check(sql`policy_type in ('US', 'global')`))
    .addColumn('metadata', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .execute()
  await db.schema
    .createIndex('consent_set_onboarding_idx')
    .on('consent_set')
    .columns(['client_id', 'onboarding_id', 'created_at'])
    .execute()

  await db.schema
    .createTable('consent_record')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('consent_set_id', 'text', (col) => col.notNull().references('consent_set.id'))
    .addColumn('consent_type', 'text', (col) =>
      col
        .notNull()
        .check(
          sql`consent_type in ('eSignAct', 'termsAndPrivacy', 'marketingNotifications', 'smsNotifications', 'emailNotifications')`,
        ),
    )
    .addColumn('status', 'text', (col) =>
      col.notNull().check(sql`status in ('granted', 'denied', 'revoked')`),
    )
    .addColumn('supersedes', 'text', (col) => col.references('consent_record.id'))
    .addColumn('metadata', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addCheckConstraint('consent_record_revocation', sql`(status = 'revoked') = (supersedes is not null)`)
    .execute()
  // A record is revoked at most once: of two revocations racing, the second insert fails.
  await db.schema
    .createIndex('consent_record_supersedes')
    .on('consent_record')
    .column('supersedes')
    .unique()
    .execute()
  await db.schema
    .createIndex('consent_record_set_idx')
    .on('consent_record')
    .columns(['consent_set_id', 'created_at'])
    .execute()

  // A set is linked to its user once (the primary key): the link is a fact, never rewritten. `sequence`
  // numbers a user's links (1, 2, …, under the user's lock): the last one says whose answers count.
  await db.schema
    .createTable('consent_link')
    .addColumn('consent_set_id', 'text', (col) => col.primaryKey().references('consent_set.id'))
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('sequence', 'integer', (col) => col.notNull())
    .addColumn('linked_at', 'bigint', (col) => col.notNull())
    .execute()
  await db.schema
    .createIndex('consent_link_user_sequence')
    .on('consent_link')
    .columns(['user_id', 'sequence'])
    .unique()
    .execute()

  await db.schema
    .createTable('consent_audit')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('consent_set_id', 'text', (col) => col.notNull().references('consent_set.id'))
    .addColumn('position', 'integer', (col) => col.notNull())
    .addColumn('action', 'text', (col) =>
      col.notNull().check(sql`action in ('created', 'linked', 'revoked')`),
    )
    .addColumn('consent_id', 'text')
    .addColumn('before', 'text')
    .addColumn('after', 'text', (col) => col.notNull())
    .addColumn('metadata', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .execute()
  await db.schema
    .createIndex('consent_audit_set_idx')
    .on('consent_audit')
    .columns(['consent_set_id', 'created_at', 'position'])
    .execute()

  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`create function consent_append_only() returns trigger language plpgsql as $$
      begin
        raise exception '% is append-only', tg_table_name;
      end
    $$`.execute(db)
    for (const table of APPEND_ONLY_TABLES) {
      await sql`create trigger ${sql.raw(`${table}_no_change`)} before update or delete on ${sql.raw(table)}
        for each row execute function consent_append_only()`.execute(db)
      await sql`create trigger ${sql.raw(`${table}_no_truncate`)} before truncate on ${sql.raw(table)}
        for each statement execute function consent_append_only()`.execute(db)
    }
  } else {
    for (const table of APPEND_ONLY_TABLES)
      for (const event of ['update', 'delete'] as const)
        await sql`create trigger ${sql.raw(`${table}_no_${event}`)} before ${sql.raw(event)} on ${sql.raw(table)}
          begin select raise(abort, ${sql.lit(`${table} is append-only`)}); end`.execute(db)
  }
}
