import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ageFrom, expiryStatus, OLDEST_PLAUSIBLE_AGE } from './validity-dates.ts'

const DAY_MS = 86_400_000
const iso = (time: number) => new Date(time).toISOString().slice(0, 10)
// Any instant from 1900 to 2100, and any time of its day.
const instant = fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2100, 0, 1) })
const isLeap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0

describe('expiryStatus', () => {
  it('is valid through the day of expiry, at any hour, and expired from the next day', () => {
    fc.assert(
      fc.property(instant, (now) => {
        expect(expiryStatus(iso(now), now), 'expires today').toBe('valid')
        expect(expiryStatus(iso(now - DAY_MS), now), 'expired yesterday').toBe('expired')
        expect(expiryStatus(iso(now + DAY_MS), now), 'expires tomorrow').toBe('valid')
      }),
    )
  })

  it('is monotonic: once expired at some instant, expired at every later one', () => {
    fc.assert(
      fc.property(instant, instant, instant, (expiry, a, b) => {
        const [earlier, later] = a <= b ? [a, b] : [b, a]
        if (expiryStatus(iso(expiry), earlier) === 'expired')
          expect(expiryStatus(iso(expiry), later)).toBe('expired')
      }),
    )
  })

  it('says when there is no date, or one that is no calendar date', () => {
    expect(expiryStatus(null, Date.UTC(2026, 0, 1))).toBe('none')
    for (const bad of ['2026-02-30', '2026-13-01', '26-01-01', ''])
      expect(expiryStatus(bad, Date.UTC(2026, 0, 1)), bad).toBe('unreadable')
  })
})

describe('ageFrom', () => {
  it('turns n on the n-th birthday (UTC calendar day), and is n-1 the day before', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1900, max: 2000 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 28 }),
        fc.integer({ min: 1, max: OLDEST_PLAUSIBLE_AGE - 1 }),
        fc.integer({ min: 0, max: DAY_MS - 1 }),
        (year, month, day, years, timeOfDay) => {
          const birth = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`
          const birthday = Date.UTC(year + years, month - 1, day)
          expect(ageFrom(birth, birthday + timeOfDay)).toBe(years)
          expect(ageFrom(birth, birthday - DAY_MS + timeOfDay)).toBe(years - 1)
        },
      ),
    )
  })

  it('never decreases as time goes on, and is 0 on the day of birth', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 50 * 365 * DAY_MS }), fc.nat(), (born, step, more) => {
        const birth = iso(born)
        expect(ageFrom(birth, born)).toBe(0)
        const first = ageFrom(birth, born + step)
        const second = ageFrom(birth, born + step + (more % (10 * 365 * DAY_MS)))
        if (first !== null && second !== null) expect(second).toBeGreaterThanOrEqual(first)
      }),
    )
  })

  it('gives a 29 February birthday on 1 March in common years, on 29 February in leap years', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1904, 1960, 1988, 2000, 2004),
        fc.integer({ min: 1, max: 100 }),
        (year, years) => {
          const target = year + years
          const feb28 = Date.UTC(target, 1, 28)
          if (isLeap(target)) {
            expect(ageFrom(`${year}-02-29`, feb28), `${target} Feb 28`).toBe(years - 1)
            expect(ageFrom(`${year}-02-29`, Date.UTC(target, 1, 29)), `${target} Feb 29`).toBe(years)
          } else {
            expect(ageFrom(`${year}-02-29`, feb28), `${target} Feb 28`).toBe(years - 1)
            expect(ageFrom(`${year}-02-29`, Date.UTC(target, 2, 1)), `${target} Mar 1`).toBe(years)
          }
        },
      ),
    )
    // The boundary the minimum age meets: born 29 Feb 2008, 18 on 1 March 2026, not on 28 February.
    expect(ageFrom('2008-02-29', Date.UTC(2026, 1, 28, 23, 59))).toBe(17)
    expect(ageFrom('2008-02-29', Date.UTC(2026, 2, 1))).toBe(18)
  })

  it('refuses dates that are no calendar date, in the future, or implausibly old', () => {
    const now = Date.UTC(2026, 11, 2)
    for (const bad of ['2001-02-29', '1990-00-10', 'yesterday', '2026-12-03', '1890-01-01'])
      expect(ageFrom(bad, now), bad).toBeNull()
    expect(ageFrom('2026-12-02', now)).toBe(0)
  })
})
