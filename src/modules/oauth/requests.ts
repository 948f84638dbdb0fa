import type { Region } from '../../db/database.ts'
import { AppError } from '../../lib/errors.ts'
import type { Client } from '../clients/index.ts'
import type { AuthorizationRequest } from './authorization-request.ts'
import { isRegisteredRedirect, requireRegion } from './clients.ts'

export type AuthorizationParameters = {
  redirect_uri: string
  response_type: string
  code_challenge: string
  code_challenge_method: string
  state?: string | undefined
  scopes: string[]
  region: Region
}

/** The redirect URI, only when the client registered it exactly (before any redirect may happen). */
const checkRedirectUri = (client: Client, redirectUri: string): string => {
  if (!isRegisteredRedirect(client, redirectUri))
    throw new AppError('OAUTH_INVALID_REQUEST', {
      message: 'redirect_uri is not one of the redirect URIs registered for this client',
    })
  return redirectUri
}

/** Checks an authorization request in the order RFC 6749 §4.1.2.1 needs: redirect URI first. */
export const validateAuthorizationRequest = (
  client: Client,
  parameters: AuthorizationParameters,
): AuthorizationRequest => {
  const redirectUri = checkRedirectUri(client, parameters.redirect_uri)
  if (parameters.response_type !== 'code') throw new AppError('OAUTH_UNSUPPORTED_RESPONSE_TYPE')
  if (parameters.code_challenge_method !== 'S256')
    throw new AppError('OAUTH_INVALID_REQUEST', { message: 'code_challenge_method must be S256' })
  requireRegion(client, parameters.region)
  return {
    clientId: client.id,
    redirectUri,
    state: parameters.state ?? null,
    codeChallenge: parameters.code_challenge,
    scopes: parameters.scopes,
    region: parameters.region,
  }
}

/** The hosted sign-in page for a request (the legacy initiate's `url`, and its redirect). */
export const hostedAuthorizeUrl = (
  publicUrl: string,
  client: Client,
  request: AuthorizationRequest,
): string => {
  const url = new URL('/v1/auth/oauth2/authorize', publicUrl)
  const params: Record<string, string | null> = {
    client_id: client.clientKey,
    response_type: 'code',
    redirect_uri: request.redirectUri,
    code_challenge: request.codeChallenge,
    code_challenge_method: 'S256',
    scope: request.scopes.join(' '),
    state: request.state,
    region: request.region === 'us' ? 'us' : null,
  }
  for (const [name, value] of Object.entries(params)) if (value !== null) url.searchParams.set(name, value)
  return url.toString()
}
