import type { Region } from '../../db/database.ts'
import type { Clock } from '../../lib/clock.ts'
import { readClaims, signClaims } from './signed-claims.ts'

/** What the client asked for, checked: it travels signed from step to step, nothing is stored. */
export type AuthorizationRequest = {
  clientId: string
  redirectUri: string
  state: string | null
  codeChallenge: string
  scopes: string[]
  region: Region
}

/** The Baanx authorization session lasts 10 minutes. */
export const AUTHORIZATION_SESSION_SECONDS = 10 * 60

const SESSION = 'oauth_session'

export const signAuthorizationRequest = (
  key: Buffer,
  clock: Clock,
  request: AuthorizationRequest,
): string => {
  const iat = Math.floor(clock.now() / 1000)
  return signClaims(key, {
    typ: SESSION,
    iat,
    exp: iat + AUTHORIZATION_SESSION_SECONDS,
    cid: request.clientId,
    ruri: request.redirectUri,
    st: request.state,
    cc: request.codeChallenge,
    scp: request.scopes.join(' '),
    rgn: request.region,
  })
}

/** The request behind a session token, or undefined when it is forged, altered or older than 10 minutes. */
export const readAuthorizationRequest = (
  key: Buffer,
  clock: Clock,
  token: string,
): AuthorizationRequest | undefined => {
  const claims = readClaims(key, token, SESSION, clock.now())
  if (!claims) return undefined
  const { cid, ruri, st, cc, scp, rgn } = claims
  if (
    typeof cid !== 'string' ||
    typeof ruri !== 'string' ||
    typeof cc !== 'string' ||
    typeof scp !== 'string'
  )
    return undefined
  if (rgn !== 'intl' && rgn !== 'us') return undefined
  return {
    clientId: cid,
    redirectUri: ruri,
    state: typeof st === 'string' ? st : null,
    codeChallenge: cc,
    scopes: scp === '' ? [] : scp.split(' '),
    region: rgn,
  }
}

/**
 * The redirect URI with the answer's parameters added, its own query kept (RFC 6749 §3.1.2). Built on
 * the registered text rather than a parsed URL, which would lower-case an app scheme such as
 * `io.metamask.Metamask:` (registered URIs have no fragment: the clients module refuses one).
 */
export const redirectWith = (redirectUri: string, params: Record<string, string | null>): string => {
  const query = new URLSearchParams()
  for (const [name, value] of Object.entries(params)) if (value !== null) query.set(name, value)
  return `${redirectUri}${redirectUri.includes('?') ? '&' : '?'}${query}`
}
