import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { browserCookieValue, claimDigest, newBrowserSecret, parseBrowserCookie } from './browser-cookie.ts'

const SESSION_ID = 'ses_01JABCDEFGHJKMNPQRSTVWXYZ0'

describe('the browser cookie of a claimed session', () => {
  it('round-trips region, session and secret for both regions', () => {
    for (const region of ['intl', 'us'] as const) {
      const secret = newBrowserSecret()
      expect(
        parseBrowserCookie(browserCookieValue({ region, sessionId: SESSION_ID }, secret)),
        region,
      ).toEqual({
        region,
        sessionId: SESSION_ID,
        secret,
      })
    }
  })

  it('stores only a digest of the secret', () => {
    const secret = newBrowserSecret()
    expect(claimDigest(secret)).toMatch(/^[0-9a-f]{64}$/)
    expect(claimDigest(secret)).not.toContain(secret)
  })

  it('refuses anything malformed and never throws', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (value) => {
        const parsed = parseBrowserCookie(value)
        if (parsed) expect(browserCookieValue(parsed, parsed.secret)).toBe(value)
      }),
    )
    expect(parseBrowserCookie(undefined)).toBeUndefined()
    expect(parseBrowserCookie(`i.${SESSION_ID}.short`)).toBeUndefined()
    expect(parseBrowserCookie(`x.${SESSION_ID}.${newBrowserSecret()}`)).toBeUndefined()
    expect(parseBrowserCookie(`i.${SESSION_ID}.${newBrowserSecret()}.extra`)).toBeUndefined()
  })
})
