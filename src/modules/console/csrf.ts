import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * CSRF tokens of the console's forms. Signed in, a form carries a MAC of the staff session's id: a
 * page of another site cannot read it, and it is worth nothing once the session ends. The sign-in form
 * has no session yet: it carries a random value that must equal the one in its SameSite=Strict cookie
 * (double submit), so another site cannot sign a browser in to an account of its choosing.
 */
export const sessionCsrfToken = (key: Buffer, staffSessionId: string): string =>
  createHmac('sha256', key).update(`console:${staffSessionId}`).digest('base64url')

export const loginCsrfValue = (): string => randomBytes(24).toString('base64url')

/** Compares in constant time; anything that is not a short string is refused. */
export const sameToken = (expected: string, presented: unknown): boolean => {
  if (typeof presented !== 'string' || presented.length === 0 || presented.length > 100) return false
  const given = Buffer.from(presented)
  const wanted = Buffer.from(expected)
  return given.length === wanted.length && timingSafeEqual(given, wanted)
}
