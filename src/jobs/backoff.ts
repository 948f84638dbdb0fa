export type BackoffPolicy = { baseMs: number; maxMs: number }

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 60 * 60 * 1_000 }

/**
 * Delay before attempt `attempt + 1`, after `attempt` failures (attempt ≥ 1): exponential from
 * `baseMs`, capped at `maxMs`, with "equal jitter" (between half and all of the step) so that jobs
 * failing together do not all come back at the same instant.
 */
export const backoffDelay = (
  attempt: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  random = Math.random,
): number => {
  const exponent = Math.min(Math.max(attempt - 1, 0), 40)
  const step = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent)
  return Math.round(step / 2 + random() * (step / 2))
}
