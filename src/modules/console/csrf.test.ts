import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { loginCsrfValue, sameToken, sessionCsrfToken } from './csrf.ts'

const key = Buffer.alloc(32, 7)

describe('console CSRF tokens', () => {
  it('are bound to the staff session they were made for', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.uuid(), (one, other) => {
        const token = sessionCsrfToken(key, one)
        expect(sameToken(token, token)).toBe(true)
        expect(sameToken(sessionCsrfToken(key, other), token)).toBe(one === other)
        expect(sameToken(sessionCsrfToken(Buffer.alloc(32, 8), one), token)).toBe(false)
      }),
    )
  })

  it('refuse what is missing, not a string, empty or too long', () => {
    const token = sessionCsrfToken(key, 'staffsession_1')
    for (const presented of [undefined, null, '', 42, [token], `${token}x`, 'x'.repeat(500)])
      expect(sameToken(token, presented)).toBe(false)
  })

  it('give a new sign-in value each time', () => {
    expect(loginCsrfValue()).not.toBe(loginCsrfValue())
    expect(loginCsrfValue()).toMatch(/^[A-Za-z0-9_-]{32}$/)
  })
})
