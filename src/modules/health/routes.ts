import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { Databases } from '../../db/database.ts'
import { ref, StringEnum } from '../../http/schemas.ts'
import { checkReadiness, DATABASE_STATES, READINESS_STATUSES } from './service.ts'

const RegionReadiness = Type.Object({
  dialect: Type.String(),
  database: StringEnum(DATABASE_STATES),
  pendingMigrations: Type.Array(Type.String()),
})

export const Readiness = Type.Object(
  {
    status: StringEnum(READINESS_STATUSES),
    regions: Type.Record(Type.String(), RegionReadiness),
  },
  { $id: 'Readiness' },
)

/** /healthz: the process answers. /readyz: every region's database answers and is fully migrated. */
export const healthRoutes = (databases: Databases) => async (app: FastifyInstance) => {
  app.get(
    '/healthz',
    {
      logLevel: 'warn',
      schema: {
        operationId: 'getLiveness',
        tags: ['operations'],
        summary: 'Liveness',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  )

  app.get(
    '/readyz',
    {
      logLevel: 'warn',
      schema: {
        operationId: 'getReadiness',
        tags: ['operations'],
        summary: 'Readiness of every region database',
        response: { 200: ref(Readiness), 503: ref(Readiness) },
      },
    },
    async (request, reply) => {
      const { ready, regions } = await checkReadiness(databases, (database, error) =>
        request.log.warn({ err: error, region: database.region }, 'readiness check failed'),
      )
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', regions })
    },
  )
}
