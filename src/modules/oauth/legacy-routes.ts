import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { RegionHeaders, ref } from '../../http/schemas.ts'
import { authenticatedUser, clientScope } from '../../http/scope.ts'
import { AppError } from '../../lib/errors.ts'
import { readAuthorizationRequest, redirectWith, signAuthorizationRequest } from './authorization-request.ts'
import { authenticateCaller } from './clients.ts'
import { issueCode } from './codes.ts'
import type { OAuthDeps } from './deps.ts'
import { oauthError } from './errors.ts'
import { exchangeGrant } from './grants.ts'
import { hostedAuthorizeUrl, validateAuthorizationRequest } from './requests.ts'
import { authorizationParameters, TokenBody, TokenResponse, tokenErrors } from './schemas.ts'
import { LEGACY_SCOPES } from './scopes.ts'
import { revokeClientGrant } from './tokens.ts'

const common = { headers: RegionHeaders, tags: ['oauth'] }

const bearerErrors = {
  401: oauthError('invalid_token: missing, expired or revoked access token, or one of the other region'),
  403: oauthError('access_denied: the token belongs to another client, or the user is suspended'),
}

/**
 * The Baanx legacy OAuth endpoints (/v1/auth/oauth/...), behind the ordinary /v1 client authentication:
 * initiate → login → authorize → token, as MetaMask's CardSDK drives them in API mode.
 */
export const legacyOAuthRoutes = (deps: OAuthDeps) => async (fastify: FastifyInstance) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get(
    '/v1/auth/oauth/authorize/initiate',
    {
      schema: {
        ...common,
        operationId: 'oauthInitiate',
        summary: 'Start an authorization session (JSON with mode=api, else a redirect to the sign-in page)',
        querystring: Type.Object({
          ...authorizationParameters,
          state: Type.String({ maxLength: 500 }),
          mode: Type.Optional(Type.String({ maxLength: 10, description: 'api: answer JSON {token, url}' })),
          client_secret: Type.Optional(
            Type.String({
              maxLength: 200,
              description: 'Accepted and ignored (MetaMask sends its client key)',
            }),
          ),
          region: Type.Optional(Type.String()),
        }),
        response: {
          200: Type.Object({
            token: Type.String({ description: 'Signed authorization session (HS256 JWT), 10 minutes' }),
            url: Type.String({ description: 'The hosted sign-in page for this request' }),
          }),
          302: Type.Null({ description: 'To the hosted sign-in page (without mode=api)' }),
          400: oauthError('invalid_request: a missing or wrong parameter, an unregistered redirect_uri'),
          401: oauthError('invalid_client: client_id is not the x-client-key'),
        },
      },
    },
    async (request, reply) => {
      const scope = clientScope(request)
      const query = request.query
      if (query.client_id !== scope.client.clientKey)
        throw new AppError('OAUTH_INVALID_CLIENT', { message: 'client_id must be the x-client-key' })
      const authorization = validateAuthorizationRequest(scope.client, {
        ...query,
        scopes: LEGACY_SCOPES,
        region: scope.region,
      })
      const url = hostedAuthorizeUrl(deps.config.PUBLIC_URL, scope.client, authorization)
      if (query.mode !== 'api') return reply.redirect(url, 302)
      return { token: signAuthorizationRequest(deps.keys.oauthSessions, deps.clock, authorization), url }
    },
  )

  app.post(
    '/v1/auth/oauth/authorize',
    {
      config: { userAuth: true },
      schema: {
        ...common,
        operationId: 'oauthAuthorize',
        summary: "Grant the session's client access for the signed-in user: a single-use code",
        security: [{ clientKey: [], bearer: [] }],
        body: Type.Object({ token: Type.String({ maxLength: 4000 }) }),
        response: {
          200: Type.Object({
            url: Type.String({ description: 'The redirect URI with code and state' }),
            code: Type.String({ description: 'Single use, 2 minutes' }),
            state: Type.String(),
          }),
          400: oauthError(
            'invalid_request: the session token is invalid, expired, or of another client or region',
          ),
          ...bearerErrors,
        },
      },
    },
    async (request) => {
      const scope = clientScope(request)
      const { user } = authenticatedUser(request)
      const authorization = readAuthorizationRequest(deps.keys.oauthSessions, deps.clock, request.body.token)
      if (
        !authorization ||
        authorization.clientId !== scope.client.id ||
        authorization.region !== scope.region
      ) {
        throw new AppError('OAUTH_INVALID_REQUEST', {
          message: 'The authorization session is invalid or has expired; start again with initiate',
        })
      }
      const code = await issueCode(deps, authorization, user.id)
      const state = authorization.state ?? ''
      return { url: redirectWith(authorization.redirectUri, { code, state }), code, state }
    },
  )

  app.post(
    '/v1/auth/oauth/token',
    {
      config: { oauthTokenEndpoint: true },
      schema: {
        ...common,
        operationId: 'oauthToken',
        summary: 'Exchange a code (with its PKCE verifier) or a refresh token for tokens',
        body: ref(TokenBody),
        response: { 200: ref(TokenResponse), ...tokenErrors },
      },
    },
    async (request, reply) => {
      const scope = clientScope(request)
      await authenticateCaller(deps, request, scope.client, request.body.client_secret)
      const tokens = await exchangeGrant(deps, scope.client, request.body, {
        redirectUriRequired: true,
        routedRegion: scope.region,
      })
      reply.header('cache-control', 'no-store')
      return tokens
    },
  )

  app.delete(
    '/v1/auth/oauth/revoke',
    {
      config: { userAuth: true },
      schema: {
        ...common,
        operationId: 'oauthRevoke',
        summary: "Revoke every token this client holds for the user (the user's logins stay)",
        security: [{ clientKey: [], bearer: [] }],
        response: { 200: Type.Object({ success: Type.Literal(true) }), ...bearerErrors },
      },
    },
    async (request) => {
      const scope = clientScope(request)
      await revokeClientGrant(deps, scope.region, authenticatedUser(request).user.id, scope.client.id)
      return { success: true as const }
    },
  )
}
