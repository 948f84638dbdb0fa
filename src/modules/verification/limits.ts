import type { SessionOutcome } from '../../db/schema.ts'
import { DAY_MS, HOUR_MS } from '../../lib/clock.ts'

/**
 * The per-user session limits of the brief, as a pure function of facts read in the same transaction
 * (so they hold under concurrency: sessions.ts and submission.ts read them under users.lockUser).
 */
export const LIMIT_IDS = ['10_per_day', '3_concurrent', '3_per_hour', '24h_after_rejection'] as const
export type LimitId = (typeof LIMIT_IDS)[number]

export const SESSIONS_PER_DAY = 10
export const CONCURRENT_SESSIONS = 3
export const CONSECUTIVE_FAILURES = 3

const FAILURES: ReadonlySet<SessionOutcome> = new Set(['abandoned', 'resubmission_required'])

export type LimitFacts = {
  now: number
  /** Creation times of the sessions created in the last 24 h. */
  createdInLastDay: number[]
  /** Expiry times of the sessions still issued or opened and not expired. */
  activeExpiries: number[]
  /** The most recent session outcomes, newest first (at least the last three). */
  recentOutcomes: { outcome: SessionOutcome; at: number }[]
  /** When the user was rejected, if REJECTED is the current state. */
  rejectedAt: number | undefined
}

export type LimitVerdict =
  | { allowed: true; dailyRemaining: number; dailyResetSeconds: number }
  | { allowed: false; limit: LimitId; retryAfterSeconds: number }

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000))

export const evaluateLimits = (facts: LimitFacts): LimitVerdict => {
  const { now } = facts
  if (facts.rejectedAt !== undefined && now < facts.rejectedAt + DAY_MS) {
    return {
      allowed: false,
      limit: '24h_after_rejection',
      retryAfterSeconds: seconds(facts.rejectedAt + DAY_MS - now),
    }
  }
  const lastThree = facts.recentOutcomes.slice(0, CONSECUTIVE_FAILURES)
  if (lastThree.length === CONSECUTIVE_FAILURES && lastThree.every((entry) => FAILURES.has(entry.outcome))) {
    const latest = lastThree[0]?.at as number
    if (now < latest + HOUR_MS)
      return { allowed: false, limit: '3_per_hour', retryAfterSeconds: seconds(latest + HOUR_MS - now) }
  }
  const inDay = facts.createdInLastDay.filter((at) => at > now - DAY_MS)
  if (inDay.length >= SESSIONS_PER_DAY) {
    return {
      allowed: false,
      limit: '10_per_day',
      retryAfterSeconds: seconds(Math.min(...inDay) + DAY_MS - now),
    }
  }
  const active = facts.activeExpiries.filter((expiresAt) => expiresAt > now)
  if (active.length >= CONCURRENT_SESSIONS) {
    return { allowed: false, limit: '3_concurrent', retryAfterSeconds: seconds(Math.min(...active) - now) }
  }
  // Counting the session about to be created.
  const oldest = Math.min(now, ...inDay)
  return {
    allowed: true,
    dailyRemaining: SESSIONS_PER_DAY - inDay.length - 1,
    dailyResetSeconds: seconds(oldest + DAY_MS - now),
  }
}
