import { type Kysely, PostgresAdapter, sql } from 'kysely'

// The audit log (issue #13 item 5): one hash chain per region's database, written in the transaction of
// each action it records. Triggers make the table append-only for every writer, the server included:
// an entry that must change is a new entry, never an UPDATE, and nothing is ever deleted.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('audit_log')
    .addColumn('sequence', 'bigint', (col) => col.primaryKey())
    .addColumn('occurred_at', 'bigint', (col) => col.notNull())
    .addColumn('actor', 'text', (col) => col.notNull())
    .addColumn('action', 'text', (col) => col.notNull())
    .addColumn('subject_type', 'text')
    .addColumn('subject_id', 'text')
    .addColumn('details', 'text', (col) => col.notNull())
    .addColumn('prev_hash', 'text', (col) => col.notNull())
    .addColumn('hash', 'text', (col) => col.notNull())
    .addCheckConstraint('audit_log_subject', sql`(subject_type is null) = (subject_id is null)`)
    .execute()
  // Two entries can never name the same predecessor: even a bug in the append lock could not fork the
  // chain, the second insert would fail instead.
  await db.schema.createIndex('audit_log_prev_hash').on('audit_log').column('prev_hash').unique().execute()
  await db.schema.createIndex('audit_log_subject_idx').on('audit_log').columns(['subject_id']).execute()
  await db.schema.createIndex('audit_log_actor_idx').on('audit_log').columns(['actor']).execute()

  // Migrations receive a bare Kysely; its adapter says which dialect the triggers must be written in.
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`create function audit_log_append_only() returns trigger language plpgsql as $$
      begin
        raise exception 'audit_log is append-only';
      end
    $$`.execute(db)
    await sql`create trigger audit_log_no_change before update or delete on audit_log
      for each row execute function audit_log_append_only()`.execute(db)
    await sql`create trigger audit_log_no_truncate before truncate on audit_log
      for each statement execute function audit_log_append_only()`.execute(db)
  } else {
    for (const [name, event] of [
      ['audit_log_no_update', 'update'],
      ['audit_log_no_delete', 'delete'],
    ] as const)
      await sql`create trigger ${sql.raw(name)} before ${sql.raw(event)} on audit_log
        begin select raise(abort, 'audit_log is append-only'); end`.execute(db)
  }
}
