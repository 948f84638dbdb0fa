import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Clock } from '../../lib/clock.ts'
import { seal, unseal } from '../../lib/crypto.ts'
import { AUTHORIZATION_SESSION_SECONDS } from './authorization-request.ts'
import { readClaims, signClaims } from './signed-claims.ts'

/**
 * What the hosted sign-in keeps between its pages, all in the browser: a double-submit CSRF value (an
 * HttpOnly SameSite=Strict cookie that every form repeats), the password sealed for the OTP step, and a
 * consent ticket naming the signed-in user. The last two are bound to the CSRF value, so they are
 * worth nothing in another browser.
 */
export const CSRF_COOKIE = 'verity_oauth_csrf'

export const newCsrfValue = (): string => randomBytes(24).toString('base64url')

/** The browser's CSRF value when a posted form carries the same one (double submit); else undefined. */
export const submittedCsrf = (cookie: string | undefined, field: string | undefined): string | undefined => {
  if (!cookie || !field || field.length > 100) return undefined
  const a = Buffer.from(cookie)
  const b = Buffer.from(field)
  return a.length === b.length && timingSafeEqual(a, b) ? cookie : undefined
}

const binding = (csrf: string) => createHash('sha256').update(`oauth-browser:${csrf}`).digest('base64url')

type Pending = { email: string; password: string; exp: number }

/** The email and password of a login waiting for its OTP, sealed (AES-GCM) for five minutes. */
export const sealPending = (key: Buffer, clock: Clock, csrf: string, email: string, password: string) =>
  seal(key, JSON.stringify({ email, password, exp: clock.now() + 5 * 60_000 }), binding(csrf))

export const openPending = (key: Buffer, clock: Clock, csrf: string, sealed: string): Pending | undefined => {
  try {
    const pending = JSON.parse(unseal(key, sealed, binding(csrf))) as Pending
    return pending.exp > clock.now() ? pending : undefined
  } catch {
    return undefined
  }
}

const TICKET = 'oauth_consent'

export const consentTicket = (key: Buffer, clock: Clock, csrf: string, session: string, userId: string) => {
  const iat = Math.floor(clock.now() / 1000)
  return signClaims(key, {
    typ: TICKET,
    iat,
    exp: iat + AUTHORIZATION_SESSION_SECONDS,
    ses: session,
    sub: userId,
    bnd: binding(csrf),
  })
}

export const readConsentTicket = (
  key: Buffer,
  clock: Clock,
  csrf: string,
  ticket: string,
): { session: string; userId: string } | undefined => {
  const claims = readClaims(key, ticket, TICKET, clock.now())
  if (!claims || claims.bnd !== binding(csrf)) return undefined
  const { ses, sub } = claims
  return typeof ses === 'string' && typeof sub === 'string' ? { session: ses, userId: sub } : undefined
}
