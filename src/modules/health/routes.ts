import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { Databases } from '../../db/database.ts'
import { checkReadiness } from './service.ts'

const RegionReadiness = Type.Object({
  dialect: Type.String(),
  database: Type.Union([Type.Literal('ok'), Type.Literal('unreachable')]),
  pendingMigrations: Type.Array(Type.String()),
})

const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not ready')]),
  regions: Type.Record(Type.String(), RegionReadiness),
})

/** /healthz: the process answers. /readyz: every region's database answers and is fully migrated. */
export const healthRoutes = (databases: Databases) => async (app: FastifyInstance) => {
  app.get(
    '/healthz',
    {
      logLevel: 'warn',
      schema: {
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
        tags: ['operations'],
        summary: 'Readiness of every region database',
        response: { 200: Readiness, 503: Readiness },
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
