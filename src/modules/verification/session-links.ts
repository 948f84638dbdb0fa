import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Region } from '../../db/database.ts'

/**
 * Verification links are `/verify/<region>.<sessionId>.<mac>`: the MAC (HMAC-SHA256 under a key
 * derived from the server secret, 256 bits) is what makes a link unguessable, and since it is derived
 * from the session id nothing secret is stored: an onboarding link can be handed out again, and a
 * database dump yields no usable link.
 */
const REGION_CODE: Record<Region, string> = { intl: 'i', us: 'u' }
const CODE_REGION: Record<string, Region> = { i: 'intl', u: 'us' }
const SESSION_ID = /^ses_[0-9A-HJKMNP-TV-Z]{26}$/

const mac = (key: Buffer, value: string) => createHmac('sha256', key).update(value).digest('base64url')

export const sessionLinkToken = (key: Buffer, region: Region, sessionId: string): string =>
  `${REGION_CODE[region]}.${sessionId}.${mac(key, `link:${region}:${sessionId}`)}`

export type SessionRef = { region: Region; sessionId: string }

/** The session a link names, or undefined for anything forged, truncated or malformed. */
export const parseSessionLinkToken = (key: Buffer, token: string): SessionRef | undefined => {
  const [code, sessionId, presented, ...rest] = token.split('.')
  const region = code === undefined ? undefined : CODE_REGION[code]
  if (!region || !sessionId || !presented || rest.length > 0 || !SESSION_ID.test(sessionId)) return undefined
  const expected = Buffer.from(mac(key, `link:${region}:${sessionId}`))
  const given = Buffer.from(presented)
  return given.length === expected.length && timingSafeEqual(given, expected)
    ? { region, sessionId }
    : undefined
}

export const sessionUrl = (publicUrl: string, token: string): string => `${publicUrl}/verify/${token}`

/**
 * The browser binding: a random secret in an HttpOnly cookie, of which only the digest is stored with
 * the claim. Cookie value: `<region>.<sessionId>.<secret>`.
 */
export const newBrowserSecret = (): string => randomBytes(32).toString('base64url')
export const claimDigest = (secret: string): string => createHash('sha256').update(secret).digest('hex')

export const browserCookieValue = (ref: SessionRef, secret: string): string =>
  `${REGION_CODE[ref.region]}.${ref.sessionId}.${secret}`

export const parseBrowserCookie = (
  value: string | undefined,
): (SessionRef & { secret: string }) | undefined => {
  const [code, sessionId, secret, ...rest] = (value ?? '').split('.')
  const region = code === undefined ? undefined : CODE_REGION[code]
  if (
    !region ||
    !sessionId ||
    !secret ||
    rest.length > 0 ||
    !SESSION_ID.test(sessionId) ||
    !/^[A-Za-z0-9_-]{43}$/.test(secret)
  )
    return undefined
  return { region, sessionId, secret }
}
