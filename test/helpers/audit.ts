import { type Kysely, sql } from 'kysely'
import { isPostgres, type RegionDatabase } from '../../src/db/database.ts'
import type { DB } from '../../src/db/schema.ts'

/**
 * Tampering as someone with the database's owner rights would: the append-only triggers are set aside
 * for `change` (disabled on PostgreSQL; dropped and re-created from their own SQL on SQLite).
 */
export const withTriggersOff = async (
  database: RegionDatabase,
  change: (db: Kysely<DB>) => Promise<unknown>,
): Promise<void> => {
  if (isPostgres(database)) {
    await sql`alter table audit_log disable trigger user`.execute(database.db)
    try {
      await change(database.db)
    } finally {
      await sql`alter table audit_log enable trigger user`.execute(database.db)
    }
    return
  }
  const triggers = (
    await sql<{
      name: string
      sql: string
    }>`select name, sql from sqlite_master where type = 'trigger' and tbl_name = 'audit_log'`.execute(
      database.db,
    )
  ).rows
  for (const trigger of triggers) await sql`drop trigger ${sql.id(trigger.name)}`.execute(database.db)
  try {
    await change(database.db)
  } finally {
    for (const trigger of triggers) await sql.raw(trigger.sql).execute(database.db)
  }
}
