import { createHash, randomBytes } from 'node:crypto'
import { formatSessionRef, parseSessionRef, type SessionRef } from '../verification/index.ts'

/**
 * The browser binding of a claimed session: a random secret in an HttpOnly cookie, of which only the
 * digest is stored with the claim (session_claim). Cookie value: `<region>.<sessionId>.<secret>`.
 */
export const newBrowserSecret = (): string => randomBytes(32).toString('base64url')
export const claimDigest = (secret: string): string => createHash('sha256').update(secret).digest('hex')

export const browserCookieValue = (ref: SessionRef, secret: string): string =>
  `${formatSessionRef(ref)}.${secret}`

export const parseBrowserCookie = (
  value: string | undefined,
): (SessionRef & { secret: string }) | undefined => {
  const [code, sessionId, secret, ...rest] = (value ?? '').split('.')
  const ref = parseSessionRef(code, sessionId)
  if (!ref || !secret || rest.length > 0 || !/^[A-Za-z0-9_-]{43}$/.test(secret)) return undefined
  return { ...ref, secret }
}
