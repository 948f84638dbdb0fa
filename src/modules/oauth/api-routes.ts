import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { ref } from '../../http/schemas.ts'
import { authenticateCaller, identifyCaller, requireRegion } from './clients.ts'
import { credentialRegion } from './credentials.ts'
import type { OAuthDeps } from './deps.ts'
import { exchangeGrant } from './grants.ts'
import { TokenBody, TokenResponse, tokenErrors } from './schemas.ts'
import { revokePresentedToken } from './tokens.ts'

const common = {
  tags: ['oauth'],
  headers: Type.Object({
    'x-client-key': Type.Optional(
      Type.String({ description: 'Identifies the client when client_id is absent' }),
    ),
  }),
}

/**
 * The hosted OAuth2 token and revoke endpoints (/v1/auth/oauth2/...): form-urlencoded or JSON bodies,
 * the client named by client_id (body or HTTP Basic) or x-client-key, the region by the credential.
 */
export const oauth2ApiRoutes = (deps: OAuthDeps) => async (fastify: FastifyInstance) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.post(
    '/v1/auth/oauth2/token',
    {
      config: { clientAuth: 'oauth', oauthTokenEndpoint: true },
      schema: {
        ...common,
        operationId: 'oauth2Token',
        summary: 'Exchange a code (PKCE) or a refresh token for tokens (form or JSON body)',
        body: ref(TokenBody),
        response: { 200: ref(TokenResponse), ...tokenErrors },
      },
    },
    async (request, reply) => {
      const client = await identifyCaller(deps, request, request.body.client_id)
      await authenticateCaller(deps, request, client, request.body.client_secret)
      const tokens = await exchangeGrant(deps, client, request.body, { redirectUriRequired: false })
      reply.header('cache-control', 'no-store')
      return tokens
    },
  )

  app.post(
    '/v1/auth/oauth2/revoke',
    {
      config: { clientAuth: 'oauth', oauthTokenEndpoint: true },
      schema: {
        ...common,
        operationId: 'oauth2Revoke',
        summary: 'Revoke an access or refresh token (RFC 7009); a refresh token takes its family with it',
        body: Type.Object({
          token: Type.String({ maxLength: 600 }),
          token_hint: Type.Optional(
            Type.String({ maxLength: 40, description: 'access_token or refresh_token' }),
          ),
          token_type_hint: Type.Optional(Type.String({ maxLength: 40 })),
          client_id: Type.Optional(Type.String({ maxLength: 200 })),
          client_secret: Type.Optional(Type.String({ maxLength: 200 })),
        }),
        response: {
          200: Type.Object(
            { success: Type.Literal(true) },
            { description: 'Also for tokens that are unknown or not this client’s (RFC 7009 §2.2)' },
          ),
          ...tokenErrors,
        },
      },
    },
    async (request) => {
      const client = await identifyCaller(deps, request, request.body.client_id)
      await authenticateCaller(deps, request, client, request.body.client_secret)
      const { token } = request.body
      const region = credentialRegion(token)
      if (region === undefined) return { success: true as const }
      requireRegion(client, region)
      await revokePresentedToken(deps, region, client.id, token)
      return { success: true as const }
    },
  )
}
