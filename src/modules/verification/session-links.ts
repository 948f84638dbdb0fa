import { createHmac, timingSafeEqual } from 'node:crypto'
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

export type SessionRef = { region: Region; sessionId: string }

/** `<region code>.<sessionId>`: how links (and the hosted pages' cookie) name a session. */
export const formatSessionRef = (ref: SessionRef): string => `${REGION_CODE[ref.region]}.${ref.sessionId}`

/** The session named by a region code and an id, or undefined when either is malformed. */
export const parseSessionRef = (
  code: string | undefined,
  sessionId: string | undefined,
): SessionRef | undefined => {
  const region = code === undefined ? undefined : CODE_REGION[code]
  return region && sessionId && SESSION_ID.test(sessionId) ? { region, sessionId } : undefined
}

export const sessionLinkToken = (key: Buffer, region: Region, sessionId: string): string =>
  `${formatSessionRef({ region, sessionId })}.${mac(key, `link:${region}:${sessionId}`)}`

/** The session a link names, or undefined for anything forged, truncated or malformed. */
export const parseSessionLinkToken = (key: Buffer, token: string): SessionRef | undefined => {
  const [code, id, presented, ...rest] = token.split('.')
  const ref = parseSessionRef(code, id)
  if (!ref || !presented || rest.length > 0) return undefined
  const expected = Buffer.from(mac(key, `link:${ref.region}:${ref.sessionId}`))
  const given = Buffer.from(presented)
  return given.length === expected.length && timingSafeEqual(given, expected) ? ref : undefined
}

export const sessionUrl = (publicUrl: string, token: string): string => `${publicUrl}/verify/${token}`
