import type { Kysely } from 'kysely'

// When a check result's evidence lost its pictures and document text: done once the session's documents
// were purged (retention over), so no copy of an image outlives the images themselves.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('check_result').addColumn('evidence_redacted_at', 'bigint').execute()
}
