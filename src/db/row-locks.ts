import { type SelectQueryBuilder, sql } from 'kysely'
import { isPostgres, type Queryable, type RegionDatabase } from './database.ts'

/**
 * The one place where the dialects differ on locking. PostgreSQL locks the rows a select reads until
 * the transaction ends; SQLite needs nothing: every transaction here is BEGIN IMMEDIATE, so it already
 * holds the database's single write lock and concurrent transactions run one after the other.
 */
export const lockedRows =
  (database: Pick<RegionDatabase, 'dialect'>) =>
  <DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>): SelectQueryBuilder<DB, TB, O> =>
    isPostgres(database) ? query.forUpdate() : query

/**
 * For queues: PostgreSQL skips rows another transaction holds instead of waiting for them, so
 * concurrent workers claim different rows. SQLite has a single writer, so the UPDATE itself is the lock.
 */
export const unlockedRowsOnly =
  (database: Pick<RegionDatabase, 'dialect'>) =>
  <DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>): SelectQueryBuilder<DB, TB, O> =>
    isPostgres(database) ? query.forUpdate().skipLocked() : query

/**
 * Serializes transactions on names rather than rows, for rows that do not exist yet (two transactions
 * about to insert the same value). PostgreSQL: advisory transaction locks, taken in sorted order so
 * that two holders of several names cannot deadlock, released at commit or rollback. SQLite: nothing to
 * take, for the reason above.
 */
export const lockNames = async (
  database: Pick<RegionDatabase, 'dialect'>,
  trx: Queryable,
  names: readonly string[],
): Promise<void> => {
  if (!isPostgres(database)) return
  for (const name of [...new Set(names)].sort())
    await sql`select pg_advisory_xact_lock(hashtextextended(${name}, 0))`.execute(trx)
}
