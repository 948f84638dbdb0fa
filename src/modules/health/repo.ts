import { sql } from 'kysely'
import type { Queryable } from '../../db/database.ts'

/** The cheapest statement that proves the database answers. */
export const pingDatabase = async (db: Queryable): Promise<void> => {
  await sql`select 1`.execute(db)
}
