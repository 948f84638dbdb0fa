import type { Databases, RegionDatabase } from '../../db/database.ts'
import { migrationStatus } from '../../db/migrate.ts'
import { pingDatabase } from './repo.ts'

export const DATABASE_STATES = ['ok', 'unreachable'] as const
export const READINESS_STATUSES = ['ready', 'not ready'] as const

export type RegionReadiness = {
  dialect: string
  database: (typeof DATABASE_STATES)[number]
  pendingMigrations: string[]
}

export type ReadinessReport = { ready: boolean; regions: Record<string, RegionReadiness> }

/** Ready when every region's database answers and is fully migrated. */
export const checkReadiness = async (
  databases: Databases,
  onUnreachable: (database: RegionDatabase, error: unknown) => void,
): Promise<ReadinessReport> => {
  const regions: Record<string, RegionReadiness> = {}
  let ready = true
  await Promise.all(
    databases.all.map(async (database) => {
      try {
        await pingDatabase(database.db)
        const { pending } = await migrationStatus(database)
        regions[database.region] = { dialect: database.dialect, database: 'ok', pendingMigrations: pending }
        if (pending.length > 0) ready = false
      } catch (error) {
        onUnreachable(database, error)
        regions[database.region] = {
          dialect: database.dialect,
          database: 'unreachable',
          pendingMigrations: [],
        }
        ready = false
      }
    }),
  )
  return { ready, regions }
}
