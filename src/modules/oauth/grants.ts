import type { Region } from '../../db/database.ts'
import { AppError } from '../../lib/errors.ts'
import type { Client } from '../clients/index.ts'
import { requireRegion } from './clients.ts'
import { redeemCode } from './codes.ts'
import { credentialRegion } from './credentials.ts'
import { invalidGrant } from './errors.ts'
import { rotateRefreshToken, type TokenDeps, type TokenSet } from './tokens.ts'

/** A token request's body, JSON or form: which fields matter depends on grant_type. */
export type TokenRequest = {
  grant_type: string
  code?: string | undefined
  code_verifier?: string | undefined
  redirect_uri?: string | undefined
  refresh_token?: string | undefined
}

const required = (value: string | undefined, name: string): string => {
  if (value === undefined || value === '')
    throw new AppError('OAUTH_INVALID_REQUEST', { message: `Missing required parameter: ${name}` })
  return value
}

/**
 * The region a code or refresh token lives in, from its prefix. When the route was routed to a region
 * already (the legacy endpoints read x-us-env), a credential of the other region is refused like an
 * access token presented to the other region.
 */
const regionOf = (credential: string, client: Client, routed: Region | undefined): Region => {
  const region = credentialRegion(credential)
  if (region === undefined || (routed !== undefined && routed !== region))
    throw invalidGrant('credential of no or another region')
  requireRegion(client, region)
  return region
}

export type GrantRules = {
  /** The legacy endpoint requires redirect_uri (Baanx); OAuth2 checks it only when sent (Ledger omits it). */
  redirectUriRequired: boolean
  routedRegion?: Region
}

/** The token endpoint's grants, once the client is authenticated. */
export const exchangeGrant = (
  deps: TokenDeps,
  client: Client,
  body: TokenRequest,
  rules: GrantRules,
): Promise<TokenSet> => {
  if (body.grant_type === 'authorization_code') {
    const code = required(body.code, 'code')
    const codeVerifier = required(body.code_verifier, 'code_verifier')
    const redirectUri = rules.redirectUriRequired
      ? required(body.redirect_uri, 'redirect_uri')
      : body.redirect_uri || undefined
    return redeemCode(deps, regionOf(code, client, rules.routedRegion), client.id, {
      code,
      codeVerifier,
      redirectUri,
    })
  }
  if (body.grant_type === 'refresh_token') {
    const refreshToken = required(body.refresh_token, 'refresh_token')
    return rotateRefreshToken(
      deps,
      regionOf(refreshToken, client, rules.routedRegion),
      client.id,
      refreshToken,
    )
  }
  throw new AppError('OAUTH_UNSUPPORTED_GRANT_TYPE', {
    message: `Unsupported grant_type: ${body.grant_type.slice(0, 40)}`,
  })
}
