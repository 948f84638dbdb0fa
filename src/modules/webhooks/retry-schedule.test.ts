import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  FAILING_DISABLE_AFTER_MS,
  MAX_ATTEMPTS,
  MAX_RETRY_AFTER_MS,
  parseRetryAfter,
  RETRY_DELAYS_MS,
  retryDelay,
} from './retry-schedule.ts'
import { verdictOf } from './sender.ts'

describe('retry schedule', () => {
  it('first retry after 1 s, never shorter than the step before, 13 attempts in all', () => {
    expect(retryDelay(1)).toBe(1000)
    expect(MAX_ATTEMPTS).toBe(13)
    for (let attempt = 2; attempt < MAX_ATTEMPTS; attempt++)
      expect(retryDelay(attempt)).toBeGreaterThanOrEqual(retryDelay(attempt - 1) as number)
    expect(retryDelay(MAX_ATTEMPTS)).toBeUndefined()
    expect(retryDelay(0)).toBeUndefined()
  })

  it('spans more than the 3 days after which a failing endpoint is disabled', () => {
    const total = RETRY_DELAYS_MS.reduce((sum, delay) => sum + delay, 0)
    expect(total).toBeGreaterThan(FAILING_DISABLE_AFTER_MS)
  })

  it('reads Retry-After as seconds or as an HTTP date, and ignores unusable or excessive values', () => {
    const now = Date.UTC(2026, 0, 1)
    expect(parseRetryAfter('120', now)).toBe(120_000)
    expect(parseRetryAfter(' 0 ', now)).toBe(0)
    expect(parseRetryAfter(new Date(now + 30_000).toUTCString(), now)).toBe(30_000)
    expect(parseRetryAfter(new Date(now - 30_000).toUTCString(), now)).toBe(0)
    expect(parseRetryAfter(undefined, now)).toBeUndefined()
    expect(parseRetryAfter('soon', now)).toBeUndefined()
    expect(parseRetryAfter('-5', now)).toBeUndefined()
    expect(parseRetryAfter(String(MAX_RETRY_AFTER_MS / 1000 + 1), now)).toBeUndefined()
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_RETRY_AFTER_MS / 1000 }), (seconds) => {
        expect(parseRetryAfter(String(seconds), now)).toBe(seconds * 1000)
      }),
    )
  })
})

describe('verdictOf', () => {
  it('2xx succeeds; 408, 429, 5xx and no answer retry; 410 is gone; everything else fails for good', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 599 }), (status) => {
        const verdict = verdictOf({ status, blocked: false })
        if (status >= 200 && status < 300) expect(verdict).toBe('success')
        else if (status === 410) expect(verdict).toBe('gone')
        else if (status === 408 || status === 429 || status >= 500) expect(verdict).toBe('retry')
        else expect(verdict).toBe('fail')
      }),
    )
    expect(verdictOf({ status: null, blocked: false })).toBe('retry')
    expect(verdictOf({ status: null, blocked: true })).toBe('fail')
  })
})
