import type BetterSqlite3 from 'better-sqlite3'
import {
  CompiledQuery,
  type DatabaseConnection,
  SqliteAdapter,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from 'kysely'
import type { SqliteCommitNotifications } from './commit-notifications.ts'

/**
 * Kysely's SQLite driver opens transactions with a plain (deferred) `BEGIN`. When a second process
 * (the CLI, or a separate worker) writes to the same file, a deferred transaction that later needs the
 * write lock can fail with SQLITE_BUSY without waiting. `BEGIN IMMEDIATE` takes the write lock up
 * front, so busy_timeout applies and transactions serialize cleanly across processes.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  readonly #notifications: SqliteCommitNotifications
  constructor(config: SqliteDialectConfig, notifications: SqliteCommitNotifications) {
    super(config)
    this.#notifications = notifications
  }
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'))
  }
  // Notifications raised inside a transaction are heard only once it has committed (commit-notifications.ts).
  override async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await super.commitTransaction(connection)
    this.#notifications.afterCommit()
  }
  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    this.#notifications.afterRollback()
    await super.rollbackTransaction(connection)
  }
}

/**
 * SQLite runs DDL inside transactions, but Kysely's adapter says it does not, so its Migrator would
 * run migrations outside one and two processes starting at once could both apply the same migration.
 * Declaring the truth makes the Migrator wrap the whole run in one (IMMEDIATE) transaction, which
 * serializes concurrent migrators on the database file itself.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true
  }
}

export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig
  readonly #notifications: SqliteCommitNotifications
  constructor(config: SqliteDialectConfig, notifications: SqliteCommitNotifications) {
    super(config)
    this.#config = config
    this.#notifications = notifications
  }
  override createDriver(): SqliteDriver {
    return new ImmediateSqliteDriver(this.#config, this.#notifications)
  }
  override createAdapter(): SqliteAdapter {
    return new TransactionalDdlSqliteAdapter()
  }
}

/**
 * SQLite's own page cache is 2 MB per connection: once the users, tokens and sessions outgrow it, every
 * lookup copies its pages in with read() system calls. Mapping the file lets reads use the OS page cache
 * directly (writes still go through SQLite's cache and the WAL). Address space, not memory: only pages
 * read are resident, and the OS can drop them. The trade: a disk error on a mapped page ends the process
 * (SIGBUS) instead of failing one query; what was committed is in the file and the WAL either way.
 */
const MMAP_BYTES = 1024 ** 3

export const applySqlitePragmas = (database: BetterSqlite3.Database): void => {
  database.pragma('journal_mode = WAL')
  database.pragma('busy_timeout = 5000')
  database.pragma('foreign_keys = ON')
  database.pragma('synchronous = NORMAL')
  database.pragma(`mmap_size = ${MMAP_BYTES}`)
}

const STATEMENT_CACHE_SIZE = 500

/**
 * Kysely prepares every query anew; preparing is a measurable share of a request's CPU. The same SQL
 * text always compiles to the same statement, so statements are kept (up to a bound) and reused. Safe
 * because better-sqlite3 runs each statement to completion synchronously.
 */
export const withStatementCache = (database: BetterSqlite3.Database): SqliteDialectConfig['database'] => {
  const statements = new Map<string, BetterSqlite3.Statement>()
  return {
    close: () => database.close(),
    prepare: (sql: string) => {
      let statement = statements.get(sql)
      if (!statement) {
        statement = database.prepare(sql)
        if (statements.size >= STATEMENT_CACHE_SIZE)
          statements.delete(statements.keys().next().value as string)
        statements.set(sql, statement)
      }
      return statement
    },
  } as SqliteDialectConfig['database']
}
