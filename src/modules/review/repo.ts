import type { Insertable } from 'kysely'
import type { Queryable } from '../../db/database.ts'
import type {
  PendingDecisionRow,
  PendingDecisionTable,
  PendingResolution,
  ReviewDecisionRow,
  ReviewDecisionTable,
} from '../../db/schema.ts'

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

export const insertPendingDecision = async (
  db: Queryable,
  row: Insertable<PendingDecisionTable>,
): Promise<void> => {
  await db.insertInto('pending_decision').values(row).execute()
}

export const findPendingDecision = (
  db: Queryable,
  sessionId: string,
  pendingId: string,
): Promise<PendingDecisionRow | undefined> =>
  db
    .selectFrom('pending_decision')
    .selectAll()
    .where('id', '=', pendingId)
    .where('session_id', '=', sessionId)
    .executeTakeFirst()

export const openPendingDecision = (
  db: Queryable,
  sessionId: string,
): Promise<PendingDecisionRow | undefined> =>
  db
    .selectFrom('pending_decision')
    .selectAll()
    .where('session_id', '=', sessionId)
    .where('resolved_at', 'is', null)
    .executeTakeFirst()

/** The sessions among these with an open proposal (for the queue). */
export const sessionsWithOpenProposal = async (db: Queryable, sessionIds: string[]): Promise<Set<string>> => {
  if (sessionIds.length === 0) return new Set()
  const rows = await db
    .selectFrom('pending_decision')
    .select('session_id')
    .where('session_id', 'in', sessionIds)
    .where('resolved_at', 'is', null)
    .execute()
  return new Set(rows.map((row) => row.session_id))
}

/**
 * Resolves proposals still open: one by id, or whichever is open for the session. Conditional on
 * being open, so of two resolutions racing only one counts; returns how many it resolved.
 */
export const resolvePendingDecisions = async (
  db: Queryable,
  where: { sessionId: string; pendingId?: string },
  resolution: { resolution: PendingResolution; resolvedBy: string; at: number },
): Promise<number> => {
  let query = db
    .updateTable('pending_decision')
    .set({
      resolved_at: resolution.at,
      resolved_by: resolution.resolvedBy,
      resolution: resolution.resolution,
    })
    .where('session_id', '=', where.sessionId)
    .where('resolved_at', 'is', null)
  if (where.pendingId) query = query.where('id', '=', where.pendingId)
  const result = await query.executeTakeFirst()
  return Number(result.numUpdatedRows)
}
