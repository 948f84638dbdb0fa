import { randomBytes } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type CsrfBinding, csrfToken, isValidCsrfToken } from './csrf.ts'

const binding = fc.record<CsrfBinding>({
  sessionId: fc.string({ minLength: 1, maxLength: 30 }),
  claimDigest: fc.string({ minLength: 1, maxLength: 64 }),
  form: fc.constantFrom('consent', 'document', 'front', 'selfie', 'review'),
  revision: fc.nat(1000),
})

describe('hosted page CSRF tokens', () => {
  const key = randomBytes(32)

  it('accept the token issued for the same binding', () => {
    fc.assert(
      fc.property(binding, (bound) => {
        expect(isValidCsrfToken(key, bound, csrfToken(key, bound))).toBe(true)
      }),
    )
  })

  it('refuse a token from any other session, browser, form or revision, or under another key', () => {
    fc.assert(
      fc.property(binding, binding, (issued, presented) => {
        fc.pre(JSON.stringify(issued) !== JSON.stringify(presented))
        expect(isValidCsrfToken(key, presented, csrfToken(key, issued))).toBe(false)
      }),
    )
    fc.assert(
      fc.property(binding, (bound) => {
        expect(isValidCsrfToken(key, bound, csrfToken(randomBytes(32), bound))).toBe(false)
      }),
    )
  })

  it('refuse missing, malformed and oversized values', () => {
    const bound = { sessionId: 'ses_1', claimDigest: 'd', form: 'consent', revision: 1 }
    for (const value of [undefined, null, 42, '', 'x'.repeat(43), 'x'.repeat(500), ['a']])
      expect(isValidCsrfToken(key, bound, value)).toBe(false)
  })
})
