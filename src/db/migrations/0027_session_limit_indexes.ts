import type { Kysely } from 'kysely'

// The limits read a user's sessions on every session request (verification/limit-facts.ts): the last
// outcomes newest first, and the sessions still issued, opened or awaiting a decision. With only
// (user_id, created_at) both read every session the user ever had and the outcomes were sorted; these
// make them index lookups whose cost does not grow with the user's history.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('verification_session_user_outcome_idx')
    .on('verification_session')
    .columns(['user_id', 'outcome_at'])
    .execute()
  await db.schema
    .createIndex('verification_session_user_status_idx')
    .on('verification_session')
    .columns(['user_id', 'status', 'outcome'])
    .execute()
}
