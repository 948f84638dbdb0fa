import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { clientErrorResponses, errorResponse, RegionHeaders, RegionQuery } from '../../http/schemas.ts'
import { AppError } from '../../lib/errors.ts'
import { type ClientDeps, checkSecretKey } from './service.ts'

const PublicClient = Type.Object({
  id: Type.String(),
  name: Type.String(),
  mode: Type.Union([Type.Literal('sandbox'), Type.Literal('live')]),
  regions: Type.Array(Type.Union([Type.Literal('intl'), Type.Literal('us')])),
  region: Type.Union([Type.Literal('intl'), Type.Literal('us')], {
    description: 'The region this request was routed to.',
  }),
  secretKeyVerified: Type.Boolean({ description: 'True when a valid x-secret-key came with the request.' }),
  redirectUris: Type.Optional(Type.Array(Type.String(), { description: 'Only with a valid x-secret-key.' })),
  allowedOrigins: Type.Optional(
    Type.Array(Type.String(), { description: 'Only with a valid x-secret-key.' }),
  ),
  secretHint: Type.Optional(
    Type.String({ description: 'Last characters of the secret key; only with x-secret-key.' }),
  ),
})

/**
 * GET /v1/client: lets an integrator check a key (and the region routing) before writing any other
 * call. With a valid x-secret-key it also shows the server-side settings; a wrong secret is a 401,
 * never a silent downgrade.
 */
export const clientRoutes = (deps: ClientDeps) => async (app: FastifyInstance) => {
  app.get(
    '/v1/client',
    {
      schema: {
        tags: ['client'],
        summary: 'The client identified by x-client-key',
        security: [{ clientKey: [] }, { clientKey: [], secretKey: [] }],
        headers: Type.Object({
          ...RegionHeaders.properties,
          'x-secret-key': Type.Optional(Type.String({ description: 'Optional; adds server-side settings.' })),
        }),
        querystring: RegionQuery,
        response: {
          200: PublicClient,
          401: errorResponse('x-secret-key was sent but is wrong.'),
          ...clientErrorResponses,
        },
      },
    },
    async (request) => {
      const client = request.client
      if (!client) throw new AppError('INTERNAL_ERROR', { internal: 'client auth hook did not run' })
      const presented = request.headers['x-secret-key']
      let secretKeyVerified = false
      if (presented !== undefined) {
        if (typeof presented !== 'string' || !(await checkSecretKey(deps, client, presented.trim()))) {
          throw new AppError('INVALID_SECRET_KEY')
        }
        secretKeyVerified = true
      }
      return {
        id: client.id,
        name: client.name,
        mode: client.mode,
        regions: client.regions,
        region: request.region,
        secretKeyVerified,
        ...(secretKeyVerified
          ? {
              redirectUris: client.redirectUris,
              allowedOrigins: client.allowedOrigins,
              secretHint: client.secretHint,
            }
          : {}),
      }
    },
  )
}
