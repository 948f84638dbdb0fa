import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DAY_MS, HOUR_MS } from '../../lib/clock.ts'
import { evaluateLimits, type LimitFacts } from './limits.ts'

const now = 1_000_000_000_000
const base: LimitFacts = {
  now,
  createdInLastDay: [],
  activeExpiries: [],
  recentOutcomes: [],
  rejectedAt: undefined,
}

describe('evaluateLimits', () => {
  it('allows a first session and reports the daily quota', () => {
    expect(evaluateLimits(base)).toEqual({ allowed: true, dailyRemaining: 9, dailyResetSeconds: 86_400 })
  })

  it('10_per_day: retry when the oldest of the day turns 24 h old, to the second', () => {
    const created = Array.from({ length: 10 }, (_, i) => now - 20 * HOUR_MS + i * 1000)
    expect(evaluateLimits({ ...base, createdInLastDay: created })).toEqual({
      allowed: false,
      limit: '10_per_day',
      retryAfterSeconds: 4 * 3600,
    })
  })

  it('3_concurrent: retry when the earliest active session expires', () => {
    const verdict = evaluateLimits({ ...base, activeExpiries: [now + 5_000, now + 1_500, now + 9_000] })
    expect(verdict).toEqual({ allowed: false, limit: '3_concurrent', retryAfterSeconds: 2 })
  })

  it('3_per_hour: three failures in a row block until an hour after the third; a success in between does not', () => {
    const failures = [
      { outcome: 'abandoned' as const, at: now - 10 * 60_000 },
      { outcome: 'resubmission_required' as const, at: now - 20 * 60_000 },
      { outcome: 'abandoned' as const, at: now - 30 * 60_000 },
    ]
    expect(evaluateLimits({ ...base, recentOutcomes: failures })).toEqual({
      allowed: false,
      limit: '3_per_hour',
      retryAfterSeconds: 50 * 60,
    })
    const broken = [
      failures[0],
      { outcome: 'approved' as const, at: now - 15 * 60_000 },
      failures[1],
      failures[2],
    ]
    expect(evaluateLimits({ ...base, recentOutcomes: broken as LimitFacts['recentOutcomes'] }).allowed).toBe(
      true,
    )
    expect(evaluateLimits({ ...base, now: now + 50 * 60_000, recentOutcomes: failures }).allowed).toBe(true)
  })

  it('24h_after_rejection: until 24 h after the decision', () => {
    expect(evaluateLimits({ ...base, rejectedAt: now - HOUR_MS })).toEqual({
      allowed: false,
      limit: '24h_after_rejection',
      retryAfterSeconds: 23 * 3600,
    })
    expect(evaluateLimits({ ...base, rejectedAt: now - DAY_MS }).allowed).toBe(true)
  })

  it('never allows an 11th session in a day or a 4th active one, whatever the facts', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: DAY_MS - 1 }), { maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 7 * DAY_MS }), { maxLength: 6 }),
        (ages, remaining) => {
          const verdict = evaluateLimits({
            ...base,
            createdInLastDay: ages.map((age) => now - age),
            activeExpiries: remaining.map((ms) => now + ms),
          })
          if (verdict.allowed) {
            expect(ages.length).toBeLessThan(10)
            expect(remaining.length).toBeLessThan(3)
            expect(verdict.dailyRemaining).toBe(10 - ages.length - 1)
          } else {
            expect(verdict.retryAfterSeconds).toBeGreaterThan(0)
          }
        },
      ),
    )
  })
})
