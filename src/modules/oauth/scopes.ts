import { AppError } from '../../lib/errors.ts'

/**
 * The scopes a client may ask for, with the words the consent page shows. Tokens work like login tokens
 * whatever the scopes (the Baanx API has no narrower access); `offline_access` decides whether a refresh
 * token comes back.
 */
export const SCOPES: Record<string, string> = {
  openid: 'Confirm who you are',
  profile: 'See your name and verification status',
  email: 'See your email address',
  offline_access: 'Stay signed in (keep access when you are not using the app)',
  'platform:full': 'Use your account on your behalf (cards, consents, verification)',
}

export const OFFLINE_ACCESS = 'offline_access'

/** The legacy API mode has no scopes: it always gives a refresh token. */
export const LEGACY_SCOPES = [OFFLINE_ACCESS]

/** Space-separated scopes (RFC 6749 §3.3); none given means the OpenID basics. */
export const parseScopes = (scope: string | undefined): string[] => {
  const given = (scope ?? '').split(' ').filter(Boolean)
  const unknown = given.filter((name) => !Object.hasOwn(SCOPES, name))
  if (unknown.length > 0)
    throw new AppError('OAUTH_INVALID_SCOPE', { message: `Unknown scope: ${unknown.join(' ')}` })
  return given.length === 0 ? ['openid'] : [...new Set(given)]
}
