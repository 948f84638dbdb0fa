import { Type } from 'typebox'
import { oauthError } from './errors.ts'
import { CHALLENGE_PATTERN } from './pkce.ts'

const text = (maxLength: number, description?: string) =>
  Type.String({ maxLength, ...(description ? { description } : {}) })

/** The authorization request's parameters, shared by the legacy initiate and the hosted authorize. */
export const authorizationParameters = {
  client_id: text(200, 'The client key'),
  redirect_uri: text(2000, 'Exactly one of the redirect URIs registered for the client'),
  response_type: text(20, 'code'),
  code_challenge: Type.String({ pattern: CHALLENGE_PATTERN, description: 'BASE64URL(SHA256(verifier))' }),
  code_challenge_method: text(10, 'S256 (plain is refused)'),
}

export const TokenBody = Type.Object(
  {
    grant_type: text(100, 'authorization_code or refresh_token'),
    code: Type.Optional(text(200)),
    code_verifier: Type.Optional(text(200, '43–128 characters of [A-Za-z0-9-._~]')),
    redirect_uri: Type.Optional(text(2000)),
    refresh_token: Type.Optional(text(200)),
    client_id: Type.Optional(text(200)),
    client_secret: Type.Optional(text(200)),
    scope: Type.Optional(text(500)),
  },
  { $id: 'OAuthTokenRequest' },
)

export const TokenResponse = Type.Object(
  {
    access_token: Type.String({ description: 'Bearer token, 6 h, works on every /v1 route' }),
    token_type: Type.Literal('Bearer'),
    expires_in: Type.Integer({ description: 'Seconds (21600)' }),
    refresh_token: Type.Optional(
      Type.String({ description: 'Single use: each refresh answers a new one (with offline_access)' }),
    ),
    refresh_token_expires_in: Type.Optional(Type.Integer({ description: 'Seconds (15897600, 184 days)' })),
    scope: Type.String(),
  },
  { $id: 'OAuthTokens' },
)

export const tokenErrors = {
  400: oauthError(
    'invalid_request (missing or malformed parameter, wrong content type), invalid_grant, unsupported_grant_type, unauthorized_client (the client is not enabled for the region)',
  ),
  401: oauthError('invalid_client: unknown client, or a confidential client without its secret'),
}
