import { type Kysely, sql } from 'kysely'

// The compliance console's staff (issue #13): accounts with a role, an Argon2id password and a sealed
// TOTP secret, and their console sessions, known by the SHA-256 of their token only. Home database
// (like clients); the other regions get the same empty tables, as with every migration.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('staff_member')
    .addColumn('id', 'text', (col) => col.primaryKey())
    // Stored normalized, so the unique constraint is case-insensitive; the check holds it there.
    .addColumn('email', 'text', (col) => col.notNull().unique().check(sql`email = lower(email)`))
    .addColumn('role', 'text', (col) => col.notNull().check(sql`role in ('admin', 'reviewer', 'auditor')`))
    .addColumn('password_hash', 'text', (col) => col.notNull())
    .addColumn('totp_secret_sealed', 'text', (col) => col.notNull())
    .addColumn('totp_last_step', 'bigint')
    .addColumn('disabled_at', 'bigint')
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('password_changed_at', 'bigint', (col) => col.notNull())
    .execute()
  await db.schema
    .createTable('staff_session')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('token_hash', 'text', (col) => col.notNull().unique())
    .addColumn('staff_id', 'text', (col) => col.notNull().references('staff_member.id'))
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('last_seen_at', 'bigint', (col) => col.notNull())
    .addColumn('expires_at', 'bigint', (col) => col.notNull())
    .addColumn('revoked_at', 'bigint')
    .addColumn('source_ip', 'text')
    .execute()
  await db.schema.createIndex('staff_session_staff').on('staff_session').column('staff_id').execute()
}
