import { type MigrationResultSet, Migrator, sql } from 'kysely'
import { isPostgres, type RegionDatabase } from './database.ts'
import { migrations } from './migrations/index.ts'

/**
 * On PostgreSQL the migration bookkeeping tables are pinned to the connection's current schema:
 * Kysely otherwise looks for them in every schema, and a database holding several Verity schemas
 * (one per region, or per test) would see another schema's tables.
 */
const migratorFor = async (database: RegionDatabase): Promise<Migrator> => {
  const schema = isPostgres(database)
    ? (await sql<{ name: string }>`select current_schema() as name`.execute(database.db)).rows[0]?.name
    : undefined
  return new Migrator({
    db: database.db,
    provider: { getMigrations: async () => migrations },
    ...(schema ? { migrationTableSchema: schema } : {}),
  })
}

/**
 * Brings one region's database to the latest schema. Safe when several processes start at once:
 * Kysely takes pg_advisory_lock on PostgreSQL, and on SQLite the whole run is one IMMEDIATE transaction.
 */
export const migrateToLatest = async (database: RegionDatabase): Promise<MigrationResultSet> => {
  const result = await (await migratorFor(database)).migrateToLatest()
  if (result.error) throw result.error
  return result
}

export type MigrationStatus = { applied: string[]; pending: string[] }

export const migrationStatus = async (database: RegionDatabase): Promise<MigrationStatus> => {
  const known = await (await migratorFor(database)).getMigrations()
  return {
    applied: known
      .filter((migration) => migration.executedAt !== undefined)
      .map((migration) => migration.name),
    pending: known
      .filter((migration) => migration.executedAt === undefined)
      .map((migration) => migration.name),
  }
}
