import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { backoffDelay } from './backoff.ts'

describe('backoffDelay', () => {
  const policy = fc.record({
    baseMs: fc.integer({ min: 1, max: 60_000 }),
    maxMs: fc.integer({ min: 1, max: 86_400_000 }),
  })

  it('stays between half and all of the capped exponential step', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        policy,
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, p, r) => {
          const step = Math.min(p.maxMs, p.baseMs * 2 ** (attempt - 1))
          const delay = backoffDelay(attempt, p, () => r)
          expect(delay).toBeGreaterThanOrEqual(Math.floor(step / 2))
          expect(delay).toBeLessThanOrEqual(Math.ceil(step))
        },
      ),
    )
  })

  it('never shrinks from one attempt to the next at the same jitter', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 99 }),
        policy,
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, p, r) => {
          expect(backoffDelay(attempt + 1, p, () => r)).toBeGreaterThanOrEqual(
            backoffDelay(attempt, p, () => r),
          )
        },
      ),
    )
  })

  it('doubles from the base: 1 s, 2 s, 4 s … with no jitter drawn', () => {
    expect(
      [1, 2, 3, 4].map((attempt) => backoffDelay(attempt, { baseMs: 1_000, maxMs: 60_000 }, () => 0.999_999)),
    ).toEqual([1_000, 2_000, 4_000, 8_000])
  })
})
