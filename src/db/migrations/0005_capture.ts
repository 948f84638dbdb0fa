import { type Kysely, sql } from 'kysely'

// The hosted capture flow: per-client hosted-page settings, the progress of a session's flow, and the
// encrypted documents uploaded to it.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('client')
    .addColumn('frame_ancestors', 'text', (col) => col.notNull().defaultTo('[]'))
    .execute()
  await db.schema
    .alterTable('client')
    .addColumn('require_proof_of_address', 'integer', (col) => col.notNull().defaultTo(0))
    .execute()

  await db.schema.alterTable('client').addColumn('return_url', 'text').execute()

  await db.schema
    .createTable('capture_progress')
    .addColumn('session_id', 'text', (col) =>
      col.primaryKey().references('verification_session.id').onDelete('cascade'),
    )
    .addColumn('revision', 'integer', (col) => col.notNull())
    .addColumn('upload_attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('consented_at', 'bigint')
    .addColumn('document_type', 'text', (col) =>
      col.check(sql`document_type in ('passport', 'driving_licence', 'id_card', 'residence_permit')`),
    )
    .addColumn('issuing_country', 'text')
    .addColumn('ssn_provided_at', 'bigint')
    .addColumn('events', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    .execute()

  await db.schema
    .createTable('document_file')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('session_id', 'text', (col) =>
      col.notNull().references('verification_session.id').onDelete('cascade'),
    )
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('slot', 'text', (col) =>
      col.notNull().check(sql`slot in ('document_front', 'document_back', 'selfie', 'proof_of_address')`),
    )
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
}
