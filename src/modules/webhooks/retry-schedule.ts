/**
 * When a failed delivery is tried again: the delay after attempt n is RETRY_DELAYS_MS[n - 1]. 13
 * attempts over about four days, so an endpoint that is down over a weekend still gets its events; one
 * that has failed every attempt for FAILING_DISABLE_AFTER_MS is disabled before the schedule ends.
 */
const SECOND = 1_000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
export const RETRY_DELAYS_MS = [
  SECOND,
  10 * SECOND,
  MINUTE,
  5 * MINUTE,
  30 * MINUTE,
  HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  24 * HOUR,
  24 * HOUR,
  24 * HOUR,
] as const

export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1

export const FAILING_DISABLE_AFTER_MS = 3 * 24 * HOUR

/** A Retry-After longer than this is not waited for: the schedule's next step is used instead. */
export const MAX_RETRY_AFTER_MS = 24 * HOUR

/** Delay before the next attempt after `attempt` failed ones, or undefined when none is left. */
export const retryDelay = (attempt: number): number | undefined =>
  attempt >= 1 && attempt < MAX_ATTEMPTS ? RETRY_DELAYS_MS[attempt - 1] : undefined

/**
 * Retry-After as seconds or an HTTP date, in ms from `now`; undefined when absent, unreadable or
 * beyond MAX_RETRY_AFTER_MS.
 */
export const parseRetryAfter = (value: string | undefined, now: number): number | undefined => {
  if (value === undefined) return undefined
  const trimmed = value.trim()
  // An HTTP date always names its day and month; anything else that is not plain seconds is unreadable.
  const ms = /^\d+$/.test(trimmed)
    ? Number(trimmed) * SECOND
    : /[a-z]/i.test(trimmed)
      ? Date.parse(trimmed) - now
      : Number.NaN
  if (!Number.isFinite(ms)) return undefined
  const delay = Math.max(ms, 0)
  return delay <= MAX_RETRY_AFTER_MS ? delay : undefined
}
