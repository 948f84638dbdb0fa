import type { Kysely } from 'kysely'

// The console's user page lists the webhook events about one user, newest first.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('webhook_event_user_idx')
    .on('webhook_event')
    .columns(['user_id', 'created_at'])
    .execute()
}
