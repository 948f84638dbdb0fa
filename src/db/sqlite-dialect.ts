import type BetterSqlite3 from 'better-sqlite3'
import {
  CompiledQuery,
  type DatabaseConnection,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from 'kysely'

/**
 * Kysely's SQLite driver opens transactions with a plain (deferred) `BEGIN`. When a second process
 * (the CLI, or a separate worker) writes to the same file, a deferred transaction that later needs the
 * write lock can fail with SQLITE_BUSY without waiting. `BEGIN IMMEDIATE` takes the write lock up
 * front, so busy_timeout applies and transactions serialize cleanly across processes.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'))
  }
}

export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig
  constructor(config: SqliteDialectConfig) {
    super(config)
    this.#config = config
  }
  override createDriver(): SqliteDriver {
    return new ImmediateSqliteDriver(this.#config)
  }
}

export const applySqlitePragmas = (database: BetterSqlite3.Database): void => {
  database.pragma('journal_mode = WAL')
  database.pragma('busy_timeout = 5000')
  database.pragma('foreign_keys = ON')
  database.pragma('synchronous = NORMAL')
}
