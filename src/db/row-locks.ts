import type { SelectQueryBuilder } from 'kysely'
import { isPostgres, type RegionDatabase } from './database.ts'

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
