import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * One-time CSRF tokens for the hosted pages. A token is a MAC over the session, the digest of this
 * browser's claim secret, the form's step and the flow's current revision. So it is refused in another
 * session or browser, on another form, and once any form of the flow was accepted (every accepted form
 * moves the revision on): a replayed or stale form never changes anything. Nothing is stored.
 */
export type CsrfBinding = { sessionId: string; claimDigest: string; form: string; revision: number }

export const csrfToken = (key: Buffer, binding: CsrfBinding): string =>
  createHmac('sha256', key)
    // JSON keeps the fields apart: no two bindings share an encoding, whatever characters they hold.
    .update(JSON.stringify([binding.sessionId, binding.claimDigest, binding.form, binding.revision]))
    .digest('base64url')

export const isValidCsrfToken = (key: Buffer, binding: CsrfBinding, presented: unknown): boolean => {
  if (typeof presented !== 'string' || presented.length > 100) return false
  const expected = Buffer.from(csrfToken(key, binding))
  const given = Buffer.from(presented)
  return given.length === expected.length && timingSafeEqual(given, expected)
}
