import fc from 'fast-check'
import { generateSync } from 'otplib'
import { describe, expect, it } from 'vitest'
import { acceptedTotpStep, newTotpSecret, otpauthUrl, TOTP_PERIOD_SECONDS, totpStep } from './totp.ts'

// RFC 6238 appendix B's SHA-1 key, "12345678901234567890", in base32.
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'
const codeAt = (secret: string, step: number) => generateSync({ secret, epoch: step * TOTP_PERIOD_SECONDS })

// Moments from 2001 to 2100, in ms.
const moment = fc.integer({ min: 1_000_000_000_000, max: 4_100_000_000_000 })
const secret = fc.constantFrom(RFC_SECRET, newTotpSecret(), newTotpSecret())

describe('TOTP codes (RFC 6238, SHA-1, 6 digits, 30 s)', () => {
  it("accept RFC 6238's test vectors (the last six of its eight digits) at their step", () => {
    for (const [seconds, code] of [
      [59, '287082'],
      [1_111_111_109, '081804'],
      [1_111_111_111, '050471'],
      [1_234_567_890, '005924'],
      [2_000_000_000, '279037'],
    ] as const) {
      expect(acceptedTotpStep(RFC_SECRET, code, seconds * 1000, null), `T=${seconds}`).toBe(
        Math.floor(seconds / 30),
      )
    }
  })

  it('accept the current step and one step of drift either way, answering the step the code is of', () => {
    fc.assert(
      fc.property(secret, moment, fc.constantFrom(-1, 0, 1), (key, now, drift) => {
        const step = totpStep(now) + drift
        const accepted = acceptedTotpStep(key, codeAt(key, step), now, null)
        // Two steps of a window can share a code (one in a million): the earliest one answers.
        expect(accepted).not.toBeNull()
        expect(Math.abs((accepted as number) - totpStep(now))).toBeLessThanOrEqual(1)
        expect(codeAt(key, accepted as number)).toBe(codeAt(key, step))
      }),
    )
  })

  it('refuse codes of steps further away', () => {
    fc.assert(
      fc.property(secret, moment, fc.integer({ min: 2, max: 100 }), fc.boolean(), (key, now, far, past) => {
        const now0 = totpStep(now)
        const code = codeAt(key, past ? now0 - far : now0 + far)
        const window = [now0 - 1, now0, now0 + 1].map((step) => codeAt(key, step))
        fc.pre(!window.includes(code))
        expect(acceptedTotpStep(key, code, now, null)).toBeNull()
      }),
    )
  })

  it('refuse a code whose step is at or before the last accepted one: a replay, even within its window', () => {
    fc.assert(
      fc.property(
        secret,
        moment,
        fc.constantFrom(-1, 0, 1),
        fc.integer({ min: -3, max: 3 }),
        (key, now, drift, last) => {
          const step = totpStep(now) + drift
          const code = codeAt(key, step)
          const window = [-1, 0, 1].map((offset) => totpStep(now) + offset)
          fc.pre(window.filter((each) => codeAt(key, each) === code).length === 1)
          const lastStep = step + last
          expect(acceptedTotpStep(key, code, now, lastStep)).toBe(lastStep < step ? step : null)
        },
      ),
    )
  })

  it('refuse everything when a step after the window was accepted (a clock that ran ahead)', () => {
    const now = 1_111_111_109_000
    const code = codeAt(RFC_SECRET, totpStep(now))
    expect(acceptedTotpStep(RFC_SECRET, code, now, totpStep(now) + 1)).toBeNull()
    expect(acceptedTotpStep(RFC_SECRET, code, now, totpStep(now) + 1_000)).toBeNull()
  })

  it('take a code typed with spaces, and refuse anything that is not six digits', () => {
    expect(acceptedTotpStep(RFC_SECRET, ' 081 804 ', 1_111_111_109_000, null)).toBe(37_037_036)
    for (const code of ['', '08180', '0818041', 'O81804', '81804 ', '+81804', '08180.4'])
      expect(acceptedTotpStep(RFC_SECRET, code, 1_111_111_109_000, null), JSON.stringify(code)).toBeNull()
  })
})

describe('TOTP enrolment', () => {
  it('makes 160-bit base32 secrets, each different', () => {
    const secrets = new Set(Array.from({ length: 200 }, () => newTotpSecret()))
    expect(secrets.size).toBe(200)
    for (const each of secrets) expect(each).toMatch(/^[A-Z2-7]{32}$/)
  })

  it('gives an otpauth:// URI that authenticator apps read: issuer, email label, secret', () => {
    const url = new URL(otpauthUrl(RFC_SECRET, 'alice@example.com'))
    expect(url.protocol).toBe('otpauth:')
    expect(url.host).toBe('totp')
    expect(decodeURIComponent(url.pathname)).toBe('/Verity:alice@example.com')
    expect(url.searchParams.get('secret')).toBe(RFC_SECRET)
    expect(url.searchParams.get('issuer')).toBe('Verity')
  })
})
