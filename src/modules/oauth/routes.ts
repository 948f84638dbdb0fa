import formbody from '@fastify/formbody'
import type { FastifyInstance } from 'fastify'
import { oauth2ApiRoutes } from './api-routes.ts'
import type { OAuthDeps } from './deps.ts'
import { registerOAuthErrors } from './errors.ts'
import { hostedOAuthRoutes } from './hosted-routes.ts'
import { legacyOAuthRoutes } from './legacy-routes.ts'

/**
 * Every OAuth route, inside the /v1 scope (CORS and client authentication; the OAuth2 routes opt out
 * of the latter). The API endpoints answer RFC 6749 error bodies; the token endpoints also read
 * form-urlencoded bodies (RFC 6749 §4.1.3).
 */
export const oauthRoutes = (deps: OAuthDeps) => async (fastify: FastifyInstance) => {
  await fastify.register(async (api) => {
    await api.register(formbody)
    registerOAuthErrors(api)
    await api.register(legacyOAuthRoutes(deps))
    await api.register(oauth2ApiRoutes(deps))
  })
  // The sign-in and consent pages answer with pages, errors included.
  await fastify.register(hostedOAuthRoutes(deps))
}
