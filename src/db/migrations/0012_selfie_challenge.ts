import { type Kysely, PostgresAdapter, sql } from 'kysely'

// The live selfie's active challenge: the poses the server asked for, per selfie (a retaken selfie
// replaces its challenge; the old row stays so late frames are told so), whether the submission had it,
// and the frames themselves as `document_file` rows in three new slots, so that they are sealed in the
// vault, replaced and purged after retention exactly like the photos they belong with.
const SLOTS = sql`('document_front', 'document_back', 'selfie', 'proof_of_address', 'challenge_1', 'challenge_2', 'challenge_3')`

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('selfie_challenge')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('session_id', 'text', (col) =>
      col.notNull().references('verification_session.id').onDelete('cascade'),
    )
    .addColumn('selfie_id', 'text', (col) => col.notNull())
    .addColumn('steps', 'text', (col) => col.notNull())
    .addColumn('issued_at', 'bigint', (col) => col.notNull())
    .addColumn('answered_at', 'bigint')
    .addColumn('replaced_at', 'bigint')
    .execute()
  // At most one current challenge per session: two selfies stored at once cannot leave two to answer.
  await db.schema
    .createIndex('selfie_challenge_current')
    .on('selfie_challenge')
    .column('session_id')
    .unique()
    .where(sql.ref('replaced_at'), 'is', null)
    .execute()
  await db.schema
    .createIndex('selfie_challenge_session')
    .on('selfie_challenge')
    .column('session_id')
    .execute()

  await db.schema.alterTable('capture_progress').addColumn('challenge_completed', 'integer').execute()

  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`alter table document_file drop constraint document_file_slot_check`.execute(db)
    await sql`alter table document_file add constraint document_file_slot_check check (slot in ${SLOTS})`.execute(
      db,
    )
    return
  }
  // SQLite cannot change a CHECK constraint in place: the table is rebuilt with the same columns (no
  // other table refers to document_file, so dropping the old one under foreign_keys=ON loses nothing).
  await db.schema
    .createTable('document_file_next')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('session_id', 'text', (col) =>
      col.notNull().references('verification_session.id').onDelete('cascade'),
    )
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('slot', 'text', (col) => col.notNull().check(sql`slot in ${SLOTS}`))
    .addColumn('media_type', 'text', (col) => col.notNull())
    .addColumn('original_type', 'text', (col) => col.notNull())
    .addColumn('byte_size', 'integer', (col) => col.notNull())
    .addColumn('width', 'integer')
    .addColumn('height', 'integer')
    .addColumn('sha256', 'text', (col) => col.notNull())
    .addColumn('storage_key', 'text', (col) => col.notNull())
    .addColumn('wrapped_key', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('purged_at', 'bigint')
    .addUniqueConstraint('document_file_session_slot_unique', ['session_id', 'slot'])
    .execute()
  await sql`insert into document_file_next select id, session_id, user_id, slot, media_type, original_type, byte_size, width, height, sha256, storage_key, wrapped_key, created_at, purged_at from document_file`.execute(
    db,
  )
  await db.schema.dropTable('document_file').execute()
  await db.schema.alterTable('document_file_next').renameTo('document_file').execute()
}
