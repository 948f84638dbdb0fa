import { type MigrationResultSet, Migrator } from 'kysely'
import type { RegionDatabase } from './database.ts'
import { migrations } from './migrations/index.ts'

const migratorFor = (database: RegionDatabase): Migrator =>
  new Migrator({ db: database.db, provider: { getMigrations: async () => migrations } })

/**
 * Brings one region's database to the latest schema. Safe when several processes start at once:
 * Kysely takes pg_advisory_lock on PostgreSQL, and on SQLite the whole run is one IMMEDIATE transaction.
 */
export const migrateToLatest = async (database: RegionDatabase): Promise<MigrationResultSet> => {
  const result = await migratorFor(database).migrateToLatest()
  if (result.error) throw result.error
  return result
}

export type MigrationStatus = { applied: string[]; pending: string[] }

export const migrationStatus = async (database: RegionDatabase): Promise<MigrationStatus> => {
  const known = await migratorFor(database).getMigrations()
  return {
    applied: known
      .filter((migration) => migration.executedAt !== undefined)
      .map((migration) => migration.name),
    pending: known
      .filter((migration) => migration.executedAt === undefined)
      .map((migration) => migration.name),
  }
}
