import type { Insertable } from 'kysely'
import type { Queryable } from '../../db/database.ts'
import type { ReviewDecisionRow, ReviewDecisionTable } from '../../db/schema.ts'

export const insertReviewDecision = async (
  db: Queryable,
  row: Insertable<ReviewDecisionTable>,
): Promise<void> => {
  await db.insertInto('review_decision').values(row).execute()
}

export const reviewDecisionsOf = (db: Queryable, sessionId: string): Promise<ReviewDecisionRow[]> =>
  db
    .selectFrom('review_decision')
    .selectAll()
    .where('session_id', '=', sessionId)
    .orderBy('created_at')
    .orderBy('id')
    .execute()
