import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { normalizeSsn } from '../../lib/validators.ts'
import { ssnStructure } from './ssn-structure.ts'

const digits = (length: number) => fc.stringMatching(new RegExp(`^\\d{${length}}$`))

describe('ssnStructure', () => {
  it('refuses every number with area 000, 666 or 900–999, group 00 or serial 0000', () => {
    const area = fc.oneof(
      fc.constantFrom('000', '666'),
      digits(2).map((rest) => `9${rest}`),
    )
    fc.assert(
      fc.property(area, digits(2), digits(4), (a, g, s) => {
        expect(ssnStructure(`${a}${g}${s}`)).toBe('invalid')
      }),
    )
    fc.assert(
      fc.property(digits(3), digits(4), (a, s) => {
        expect(ssnStructure(`${a}00${s}`)).toBe('invalid')
      }),
    )
    fc.assert(
      fc.property(digits(3), digits(2), (a, g) => {
        expect(ssnStructure(`${a}${g}0000`)).toBe('invalid')
      }),
    )
  })

  it('agrees with what onboarding accepts, except the numbers the SSA voided and the placeholders', () => {
    fc.assert(
      fc.property(digits(9), (ssn) => {
        const structure = ssnStructure(ssn)
        if (ssn === '078051120' || ssn === '219099999') expect(structure).toBe('invalid')
        else expect(structure === 'invalid', ssn).toBe(normalizeSsn(ssn) === undefined)
      }),
    )
  })

  it('refuses the voided numbers, sends placeholders to a person, accepts the rest', () => {
    expect(ssnStructure('078051120'), 'Woolworth wallet card').toBe('invalid')
    expect(ssnStructure('219099999'), '1940 SSA pamphlet').toBe('invalid')
    for (const placeholder of ['123456789', '111111111', '555555555'])
      expect(ssnStructure(placeholder), placeholder).toBe('placeholder')
    for (const valid of ['001010001', '772123456', '899991234', '123456780'])
      expect(ssnStructure(valid), valid).toBe('valid')
    for (const malformed of ['12345678', '1234567890', '123-45-6789', '12345678a'])
      expect(ssnStructure(malformed), malformed).toBe('invalid')
  })
})
