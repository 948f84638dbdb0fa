import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { Type } from 'typebox'
import type { Databases } from '../../db/database.ts'
import { migrationStatus } from '../../db/migrate.ts'
import { ref, StringEnum } from '../../http/schemas.ts'

const DATABASE_STATES = ['ok', 'unreachable'] as const
type DatabaseState = (typeof DATABASE_STATES)[number]

const RegionReadiness = Type.Object({
  dialect: Type.String(),
  database: StringEnum(DATABASE_STATES),
  pendingMigrations: Type.Array(Type.String()),
})

export const Readiness = Type.Object(
  {
    status: StringEnum(['ready', 'not ready']),
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
      const regions: Record<
        string,
        { dialect: string; database: DatabaseState; pendingMigrations: string[] }
      > = {}
      let ready = true
      await Promise.all(
        databases.all.map(async (database) => {
          try {
            await sql`select 1`.execute(database.db)
            const { pending } = await migrationStatus(database)
            regions[database.region] = {
              dialect: database.dialect,
              database: 'ok',
              pendingMigrations: pending,
            }
            if (pending.length > 0) ready = false
          } catch (error) {
            request.log.warn({ err: error, region: database.region }, 'readiness check failed')
            regions[database.region] = {
              dialect: database.dialect,
              database: 'unreachable',
              pendingMigrations: [],
            }
            ready = false
          }
        }),
      )
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', regions })
    },
  )
}
