import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  ageOn,
  maskSsn,
  normalizeCountry,
  normalizeEmail,
  normalizePhone,
  normalizeSsn,
  normalizeUsState,
  parseIsoDate,
  US_STATES,
} from './validators.ts'

describe('normalizeEmail', () => {
  it('accepts what the email arbitrary generates (lower-cased, trimmed) and is idempotent', () => {
    fc.assert(
      fc.property(fc.emailAddress(), (email) => {
        const normalized = normalizeEmail(` ${email.toUpperCase()} `)
        if (normalized === undefined) return // fast-check also generates quoted/odd local parts we refuse
        expect(normalized).toBe(email.toLowerCase())
        expect(normalizeEmail(normalized)).toBe(normalized)
      }),
    )
    expect(normalizeEmail('Jane.Doe+kyc@Example.co.uk')).toBe('jane.doe+kyc@example.co.uk')
  })

  it('refuses text without a domain, double dots, spaces and overlong addresses', () => {
    for (const bad of [
      'jane',
      'jane@',
      '@example.com',
      'jane@example',
      'ja..ne@example.com',
      'ja ne@example.com',
      `${'a'.repeat(65)}@example.com`,
      `a@${'b'.repeat(250)}.com`,
    ]) {
      expect(normalizeEmail(bad), bad).toBeUndefined()
    }
    fc.assert(
      fc.property(
        fc.string().filter((s) => !s.includes('@')),
        (text) => {
          expect(normalizeEmail(text)).toBeUndefined()
        },
      ),
    )
  })
})

describe('normalizeCountry', () => {
  it('accepts every ISO 3166-1 alpha-2 code in any case and nothing else of two letters', () => {
    expect(normalizeCountry('gb')).toBe('GB')
    expect(normalizeCountry(' us ')).toBe('US')
    for (const bad of ['UK', 'XX', 'GBR', '', '12']) expect(normalizeCountry(bad), bad).toBeUndefined()
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Z]{2}$/), (code) => {
        const result = normalizeCountry(code)
        expect(result === undefined || result === code).toBe(true)
      }),
    )
  })
})

describe('normalizePhone', () => {
  it('normalizes Baanx-style country code + national number to E.164', () => {
    expect(normalizePhone('+44', '7400 846282')).toEqual({
      countryCode: '+44',
      nationalNumber: '7400846282',
      e164: '+447400846282',
    })
    expect(normalizePhone('+1', '(201) 555-0123')).toEqual({
      countryCode: '+1',
      nationalNumber: '2015550123',
      e164: '+12015550123',
    })
    expect(normalizePhone('0044', '7400846282')?.e164).toBe('+447400846282')
  })

  it('refuses numbers that are not valid for the country, and garbage', () => {
    for (const [code, number] of [
      ['+44', '12'],
      ['44', '7400846282'],
      ['+44', 'abcdefgh'],
      ['+999', '7400846282'],
      ['+1', '0000000000'],
    ]) {
      expect(normalizePhone(code as string, number as string), `${code} ${number}`).toBeUndefined()
    }
    fc.assert(
      fc.property(fc.string(), fc.string(), (code, number) => {
        const phone = normalizePhone(code, number)
        if (phone) expect(phone.e164).toMatch(/^\+[1-9]\d{6,14}$/)
      }),
    )
  })
})

describe('parseIsoDate and ageOn', () => {
  it('round-trips every real calendar date', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1900-01-01'), max: new Date('2100-12-31'), noInvalidDate: true }),
        (date) => {
          const text = date.toISOString().slice(0, 10)
          const parsed = parseIsoDate(text)
          expect(parsed).toEqual({
            year: date.getUTCFullYear(),
            month: date.getUTCMonth() + 1,
            day: date.getUTCDate(),
          })
        },
      ),
    )
  })

  it('refuses impossible dates and other formats', () => {
    for (const bad of [
      '2023-02-29',
      '2024-13-01',
      '2024-00-10',
      '2024-04-31',
      '01/02/2000',
      '2000-1-1',
      '',
    ]) {
      expect(parseIsoDate(bad), bad).toBeUndefined()
    }
    expect(parseIsoDate('2024-02-29')).toEqual({ year: 2024, month: 2, day: 29 })
  })

  it('counts whole years, turning a year older on the birthday itself', () => {
    const birth = { year: 2008, month: 11, day: 25 }
    expect(ageOn(birth, Date.UTC(2026, 10, 24))).toBe(17)
    expect(ageOn(birth, Date.UTC(2026, 10, 25))).toBe(18)
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 120 }), (years) => {
        expect(ageOn({ year: 2026 - years, month: 1, day: 1 }, Date.UTC(2026, 5, 1))).toBe(years)
      }),
    )
  })
})

describe('normalizeSsn', () => {
  it('accepts issuable numbers with or without dashes', () => {
    expect(normalizeSsn('123-45-6789')).toBe('123456789')
    expect(normalizeSsn('123456789')).toBe('123456789')
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 899 }).filter((area) => area !== 666),
        fc.integer({ min: 1, max: 99 }),
        fc.integer({ min: 1, max: 9999 }),
        (area, group, serial) => {
          const digits = `${String(area).padStart(3, '0')}${String(group).padStart(2, '0')}${String(serial).padStart(4, '0')}`
          expect(normalizeSsn(digits)).toBe(digits)
        },
      ),
    )
  })

  it('refuses numbers the SSA never issues and malformed input', () => {
    for (const bad of [
      '000-12-3456',
      '666-12-3456',
      '900-12-3456',
      '123-00-4567',
      '123-45-0000',
      '12345678',
      '123-456-789',
      'abc-de-fghi',
    ]) {
      expect(normalizeSsn(bad), bad).toBeUndefined()
    }
  })

  it('masks all but the last four digits', () => {
    expect(maskSsn('6789')).toBe('***-**-6789')
  })
})

describe('normalizeUsState', () => {
  it('accepts every listed postal abbreviation in any case and nothing else', () => {
    for (const state of US_STATES) expect(normalizeUsState(state.code.toLowerCase())).toBe(state.code)
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Z]{2}$/), (code) => {
        expect(normalizeUsState(code) !== undefined).toBe(US_STATES.some((state) => state.code === code))
      }),
    )
  })
})
