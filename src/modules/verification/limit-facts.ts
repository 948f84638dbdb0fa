import type { Queryable } from '../../db/database.ts'
import type { SessionOutcome, UserRow } from '../../db/schema.ts'
import { DAY_MS } from '../../lib/clock.ts'
import { CONSECUTIVE_FAILURES, type LimitFacts } from './limits.ts'
import { latestTransitionTo, limitSessions } from './repo.ts'

/** What the limits decide on (limits.ts), read inside the transaction that holds the user's lock. */
export const readLimitFacts = async (
  db: Queryable,
  user: UserRow,
  now: number,
): Promise<LimitFacts & { inProgress: boolean; dueToExpire: boolean }> => {
  const resetAt = user.limits_reset_at ?? 0
  const windowStart = Math.max(now - DAY_MS, resetAt)
  const [{ counted: sessions, latestOutcomes: outcomes }, rejection] = await Promise.all([
    limitSessions(db, user.id, {
      since: windowStart,
      outcomesSince: resetAt,
      outcomes: CONSECUTIVE_FAILURES,
    }),
    user.verification_state === 'REJECTED'
      ? latestTransitionTo(db, user.id, 'REJECTED')
      : Promise.resolve(undefined),
  ])
  return {
    now,
    createdInLastDay: sessions
      .filter((session) => session.created_at > windowStart)
      .map((session) => session.created_at),
    activeExpiries: sessions
      .filter(
        (session) => (session.status === 'issued' || session.status === 'opened') && session.expires_at > now,
      )
      .map((session) => session.expires_at),
    recentOutcomes: outcomes.map((row) => ({
      outcome: row.outcome as SessionOutcome,
      at: row.outcome_at as number,
    })),
    rejectedAt: rejection && rejection.created_at > resetAt ? rejection.created_at : undefined,
    // Issued or opened and past their expiry, not yet marked so by the sweep (repo.ts expireDueSessions).
    dueToExpire: sessions.some(
      (session) => (session.status === 'issued' || session.status === 'opened') && session.expires_at <= now,
    ),
    // Submitted and not decided yet (checks running, or waiting for a reviewer).
    inProgress: sessions.some(
      (session) =>
        session.status === 'submitted' && (session.outcome === null || session.outcome === 'review'),
    ),
  }
}
