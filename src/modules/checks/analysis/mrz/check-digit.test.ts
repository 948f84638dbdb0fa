import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkDigit, checkDigitHolds } from './check-digit.ts'

const ALPHABET = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<']
const value = (character: string) => (character === '<' ? 0 : Number.parseInt(character, 36))
const field = fc
  .array(fc.constantFrom(...ALPHABET), { minLength: 1, maxLength: 30 })
  .map((chars) => chars.join(''))

describe('ICAO 9303 check digits', () => {
  it('gives the digits of the ICAO specimen (9303 part 4, appendix A)', () => {
    expect(checkDigit('L898902C<')).toBe(3)
    expect(checkDigit('740812')).toBe(2)
    expect(checkDigit('120415')).toBe(9)
    expect(checkDigit('ZE184226B<<<<<')).toBe(1)
    // The composite: document number + check, birth date + check, expiry + check, personal number + check.
    expect(checkDigit('L898902C3674081221204159ZE184226B<<<<<1')).toBe(0)
  })

  it('holds for the digit it generates, and for no other digit', () => {
    fc.assert(
      fc.property(field, fc.integer({ min: 0, max: 9 }), (text, other) => {
        expect(checkDigitHolds(text, String(checkDigit(text)))).toBe(true)
        if (other !== checkDigit(text)) expect(checkDigitHolds(text, String(other))).toBe(false)
      }),
    )
  })

  it('catches every single substitution whose values do not differ by a multiple of 10', () => {
    fc.assert(
      fc.property(field, fc.nat(), fc.constantFrom(...ALPHABET), (text, at, replacement) => {
        const index = at % text.length
        const original = text[index] as string
        const changed = `${text.slice(0, index)}${replacement}${text.slice(index + 1)}`
        const detected = checkDigit(changed) !== checkDigit(text)
        expect(detected).toBe((value(replacement) - value(original)) % 10 !== 0)
      }),
    )
  })

  it('accepts a filler as the check digit of an empty field only', () => {
    expect(checkDigitHolds('<<<<<<<<<<<<<<', '<')).toBe(true)
    expect(checkDigitHolds('ZE184226B<<<<<', '<')).toBe(false)
  })

  it('refuses characters outside the MRZ alphabet', () => {
    expect(() => checkDigit('ab')).toThrow(/not an MRZ character/)
  })
})
