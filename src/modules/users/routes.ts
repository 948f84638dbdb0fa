import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { RegionHeaders, RegionQuery, ref, userErrorResponses } from '../../http/schemas.ts'
import { authenticatedUser } from '../../http/scope.ts'
import { toUserView, UserSchema } from './view.ts'

export const userRoutes = () => async (fastify: FastifyInstance) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  app.get(
    '/v1/user',
    {
      config: { userAuth: true },
      schema: {
        operationId: 'getUser',
        tags: ['user'],
        summary: 'The logged-in user, with verificationState',
        security: [{ clientKey: [], bearer: [] }],
        headers: RegionHeaders,
        querystring: RegionQuery,
        response: { 200: ref(UserSchema), ...userErrorResponses },
      },
    },
    async (request) => toUserView(authenticatedUser(request).user),
  )
}
