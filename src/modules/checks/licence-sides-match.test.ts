import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { canonical, editDistance, otherNumberIn, presenceIn } from './licence-sides-match.ts'

const value = fc.stringMatching(/^[A-Z0-9]{4,12}$/)
const words = fc.array(fc.stringMatching(/^[A-Z]{2,9}$/), { maxLength: 12 })

describe('presenceIn', () => {
  it('finds a value printed anywhere among other words, whatever OCR-confusable characters it holds', () => {
    fc.assert(
      fc.property(value, words, words, (printed, before, after) => {
        expect(presenceIn(printed, [...before, printed, ...after].join(' ')).presence).toBe('match')
      }),
    )
  })

  it('reads O for 0, I or L for 1, S for 5, B for 8 as the same value', () => {
    expect(presenceIn('D4827351', 'DL D48273S1 EXP').presence).toBe('match')
    expect(presenceIn('B0LT0N', 'LN 8OITON').presence).toBe('match')
  })

  it('calls one wrong character a near miss, and an unrelated number absent', () => {
    expect(presenceIn('D4827351', 'DL D4827361').presence).toBe('near')
    expect(presenceIn('D4827351', 'DL K1902648 EXP 04/17/2030').presence).toBe('absent')
    expect(presenceIn('HERNANDEZ', 'LN OKAFOR FN JAMES').presence).toBe('absent')
  })
})

describe('editDistance', () => {
  it('is a metric on canonical strings', () => {
    fc.assert(
      fc.property(value, value, value, (a, b, c) => {
        expect(editDistance(a, a)).toBe(0)
        expect(editDistance(a, b)).toBe(editDistance(b, a))
        expect(editDistance(a, c)).toBeLessThanOrEqual(editDistance(a, b) + editDistance(b, c))
      }),
    )
  })

  it('canonical form is idempotent', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(canonical(canonical(text))).toBe(canonical(text))
      }),
    )
  })
})

describe('otherNumberIn', () => {
  it('finds a different number of the same shape, and not the same number misread', () => {
    expect(otherNumberIn('O4624306', 'CRORRAR K1902648 EXE 08/01/2031')).toBe('K1902648')
    expect(otherNumberIn('D4827351', 'DL D4827S51 EXP 04/17/2030')).toBeNull()
    expect(otherNumberIn('D4827351', 'HERNANDEZ 2140 OAK VALLEY RD')).toBeNull()
  })
})
