import type { Kysely } from 'kysely'

// The review queue (`verity review list`, later the console) reads submitted sessions oldest first:
// an index lookup instead of a scan of every session ever issued.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('verification_session_review_queue_idx')
    .on('verification_session')
    .columns(['status', 'submitted_at'])
    .execute()
}
