import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { CODE_PURPOSES, SESSION_OUTCOMES, VERIFICATION_STATES } from '../../db/schema.ts'
import {
  clientErrorResponses,
  errorResponse,
  RegionHeaders,
  RegionQuery,
  ref,
  StringEnum,
  SuccessBody,
} from '../../http/schemas.ts'
import { clientScope } from '../../http/scope.ts'
import type { Clock } from '../../lib/clock.ts'
import { AppError } from '../../lib/errors.ts'
import { resetLimits } from '../verification/index.ts'
import { scenarioCatalogue } from './scenarios.ts'

/** Sandbox tooling exists only for sandbox clients: for a live client these routes are plain 404s. */
const sandboxScope = (request: FastifyRequest) => {
  const scope = clientScope(request)
  if (scope.client.mode !== 'sandbox') throw new AppError('ROUTE_NOT_FOUND')
  return scope
}

export const sandboxRoutes = (deps: { clock: Clock }) => async (fastify: FastifyInstance) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get(
    '/v1/sandbox/scenarios',
    {
      schema: {
        operationId: 'listSandboxScenarios',
        tags: ['sandbox'],
        summary: 'Every magic value of the sandbox and its outcome (sandbox clients only)',
        headers: RegionHeaders,
        querystring: RegionQuery,
        response: {
          200: Type.Object({
            users: Type.Array(
              Type.Object({
                firstName: Type.String(),
                lastName: Type.String(),
                outcome: StringEnum(SESSION_OUTCOMES),
                verificationState: StringEnum(VERIFICATION_STATES),
                description: Type.String(),
              }),
            ),
            otherUsers: Type.String(),
            codes: Type.Array(
              Type.Object({
                purpose: StringEnum(CODE_PURPOSES),
                code: Type.String(),
                description: Type.String(),
              }),
            ),
          }),
          404: errorResponse('Not a sandbox client.'),
          ...clientErrorResponses,
        },
      },
    },
    async (request) => {
      sandboxScope(request)
      return scenarioCatalogue()
    },
  )

  app.post(
    '/v1/sandbox/users/:userId/reset-limits',
    {
      config: { clientAuth: 'client+secret' },
      schema: {
        operationId: 'resetSandboxUserLimits',
        tags: ['sandbox'],
        summary: "Clear a test user's session limits and cooldowns (sandbox clients only)",
        security: [{ clientKey: [], secretKey: [] }],
        headers: RegionHeaders,
        querystring: RegionQuery,
        params: Type.Object({ userId: Type.String({ maxLength: 64 }) }),
        response: {
          200: ref(SuccessBody),
          401: errorResponse('Missing or wrong x-secret-key.'),
          404: errorResponse('Not a sandbox client, or no such user of this client in this region.'),
          ...clientErrorResponses,
        },
      },
    },
    async (request) => {
      const scope = sandboxScope(request)
      await resetLimits(deps.clock, scope, request.params.userId)
      return { success: true as const }
    },
  )
}
