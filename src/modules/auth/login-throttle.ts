import type { Clock } from '../../lib/clock.ts'
import { AppError } from '../../lib/errors.ts'

export type ThrottleOptions = { maxFailures: number; windowMs: number }

/**
 * Failed logins per source address in a sliding window, in this process's memory. It stops one address
 * from spraying passwords across many accounts; the per-account lockout (in the database, so it holds
 * across processes) stops many addresses from guessing one account.
 */
export class LoginThrottle {
  readonly #failures = new Map<string, number[]>()
  private readonly clock: Clock
  private readonly options: ThrottleOptions

  constructor(clock: Clock, options: ThrottleOptions = { maxFailures: 20, windowMs: 15 * 60 * 1000 }) {
    this.clock = clock
    this.options = options
  }

  #recent(address: string): number[] {
    const since = this.clock.now() - this.options.windowMs
    const recent = (this.#failures.get(address) ?? []).filter((at) => at > since)
    if (recent.length === 0) this.#failures.delete(address)
    else this.#failures.set(address, recent)
    return recent
  }

  /**
   * Counts an attempt from the address before its password is checked, or throws a 429 when the address
   * failed too often recently. Check and count are one synchronous step, so parallel requests cannot
   * all pass the check before any of them is counted. A right password gives its attempt back.
   */
  reserve(address: string): void {
    const recent = this.#recent(address)
    if (recent.length >= this.options.maxFailures) {
      const retryAfter = Math.max(
        1,
        Math.ceil(((recent[0] as number) + this.options.windowMs - this.clock.now()) / 1000),
      )
      throw new AppError('RATE_LIMITED', {
        message: 'Too many failed logins from this address; try again later',
        body: { retryAfter },
        headers: { 'retry-after': String(retryAfter) },
      })
    }
    this.#failures.set(address, [...recent, this.clock.now()])
    // Addresses that never come back would otherwise stay in memory forever.
    if (this.#failures.size > 10_000) for (const key of [...this.#failures.keys()]) this.#recent(key)
  }

  /** The reserved attempt was a success, not a failure. */
  refund(address: string): void {
    const recent = this.#recent(address)
    recent.pop()
    if (recent.length === 0) this.#failures.delete(address)
  }
}
