import { type Kysely, sql } from 'kysely'

// Forward-only. Runs unchanged on SQLite and PostgreSQL: only portable column types (text, integer,
// bigint) and CHECK constraints for enums.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('client')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('mode', 'text', (col) => col.notNull().check(sql`mode in ('sandbox', 'live')`))
    .addColumn('regions', 'text', (col) => col.notNull())
    .addColumn('client_key', 'text', (col) => col.notNull().unique())
    .addColumn('secret_hash', 'text', (col) => col.notNull())
    .addColumn('secret_hint', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull().check(sql`status in ('active', 'disabled')`))
    .addColumn('redirect_uris', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    .addColumn('secret_rotated_at', 'bigint', (col) => col.notNull())
    .addColumn('disabled_at', 'bigint')
    .execute()

  await db.schema
    .createTable('client_allowed_origin')
    .addColumn('client_id', 'text', (col) => col.notNull().references('client.id').onDelete('cascade'))
    .addColumn('origin', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('client_allowed_origin_pk', ['client_id', 'origin'])
    .execute()
  await db.schema
    .createIndex('client_allowed_origin_origin_idx')
    .on('client_allowed_origin')
    .column('origin')
    .execute()

  await db.schema
    .createTable('job')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('type', 'text', (col) => col.notNull())
    .addColumn('payload', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) =>
      col.notNull().check(sql`status in ('pending', 'running', 'done', 'dead')`),
    )
    .addColumn('run_at', 'bigint', (col) => col.notNull())
    .addColumn('attempts', 'integer', (col) => col.notNull())
    .addColumn('max_attempts', 'integer', (col) => col.notNull())
    .addColumn('lock_token', 'text')
    .addColumn('locked_until', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('dedupe_key', 'text', (col) => col.unique())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    .addColumn('finished_at', 'bigint')
    .execute()
  // The claim query scans ready pending jobs by run_at, and running jobs by lease expiry.
  await db.schema.createIndex('job_status_run_at_idx').on('job').columns(['status', 'run_at']).execute()
  await db.schema
    .createIndex('job_status_locked_until_idx')
    .on('job')
    .columns(['status', 'locked_until'])
    .execute()
}
