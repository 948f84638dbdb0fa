import type { Queryable } from '../../db/database.ts'
import type { CaseAssignmentRow } from '../../db/schema.ts'
import type { Clock } from '../../lib/clock.ts'
import { AppError } from '../../lib/errors.ts'
import type { DecisionGuard } from '../verification/index.ts'

export type Assignment = { staffId: string; staffEmail: string; until: number }

const toAssignment = (
  row: Pick<CaseAssignmentRow, 'staff_id' | 'staff_email' | 'expires_at'>,
): Assignment => ({
  staffId: row.staff_id,
  staffEmail: row.staff_email,
  until: row.expires_at,
})

/**
 * Assigns a case to the reviewer who opens it, for `holdMs`, unless another reviewer holds it: a
 * reviewer who opens it again extends their own hold, and a hold that ran out goes to whoever opens the
 * case next. One conditional upsert, so two reviewers opening the case at once cannot both get it.
 * Answers who holds the case now.
 */
export const claimCase = async (
  db: Queryable,
  claim: { sessionId: string; staffId: string; staffEmail: string; now: number; holdMs: number },
): Promise<Assignment> => {
  await db
    .insertInto('case_assignment')
    .values({
      session_id: claim.sessionId,
      staff_id: claim.staffId,
      staff_email: claim.staffEmail,
      assigned_at: claim.now,
      expires_at: claim.now + claim.holdMs,
    })
    .onConflict((conflict) =>
      conflict
        .column('session_id')
        .doUpdateSet({
          staff_id: claim.staffId,
          staff_email: claim.staffEmail,
          assigned_at: claim.now,
          expires_at: claim.now + claim.holdMs,
        })
        .where((eb) =>
          eb.or([
            eb('case_assignment.staff_id', '=', claim.staffId),
            eb('case_assignment.expires_at', '<=', claim.now),
          ]),
        ),
    )
    .execute()
  const row = await db
    .selectFrom('case_assignment')
    .select(['staff_id', 'staff_email', 'expires_at'])
    .where('session_id', '=', claim.sessionId)
    .executeTakeFirstOrThrow()
  return toAssignment(row)
}

/** The live assignments of these cases (a hold that ran out assigns nobody). */
export const liveAssignments = async (
  db: Queryable,
  sessionIds: readonly string[],
  now: number,
): Promise<Map<string, Assignment>> => {
  if (sessionIds.length === 0) return new Map()
  const rows = await db
    .selectFrom('case_assignment')
    .select(['session_id', 'staff_id', 'staff_email', 'expires_at'])
    .where('session_id', 'in', sessionIds)
    .where('expires_at', '>', now)
    .execute()
  return new Map(rows.map((row) => [row.session_id, toAssignment(row)]))
}

/**
 * The rule a reviewer's decision goes through: a case another reviewer holds is theirs to decide. Run
 * by the decision seam in the decision's transaction. The page names who holds it; the log (the
 * error's internal message) names only their staff id, since a log line must not carry an email.
 */
export const notHeldByAnother =
  (staffId: string, clock: Clock): DecisionGuard =>
  async (trx, sessionId) => {
    const holder = (await liveAssignments(trx, [sessionId], clock.now())).get(sessionId)
    if (holder && holder.staffId !== staffId)
      throw new AppError('CASE_ASSIGNED', {
        message: `${holder.staffEmail} is reviewing this case; nothing was changed.`,
        internal: `the case is assigned to ${holder.staffId}`,
      })
  }
