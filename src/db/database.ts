import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient, type Transaction } from 'kysely'
import pg from 'pg'
import type { DatabaseTarget } from '../config/config.ts'
import {
  type CommitNotifications,
  postgresCommitNotifications,
  sqliteCommitNotifications,
} from './commit-notifications.ts'
import type { DB } from './schema.ts'
import { applySqlitePragmas, ImmediateSqliteDialect, withStatementCache } from './sqlite-dialect.ts'
import { statementNameOf } from './statement-names.ts'

export const REGIONS = ['intl', 'us'] as const
export type Region = (typeof REGIONS)[number]
export type Dialect = DatabaseTarget['dialect']

/** A query handle that may or may not be inside a transaction. Repositories accept either. */
export type Queryable = Kysely<DB> | Transaction<DB>

export type RegionDatabase = {
  readonly region: Region
  readonly dialect: Dialect
  readonly db: Kysely<DB>
  /** Commits that enqueued jobs (the queue raises them; workers listen). */
  readonly committedJobs: CommitNotifications
  destroy(): Promise<void>
}

export type Databases = {
  /** intl: the home of tenant-wide data (clients) as well as intl users. */
  readonly home: RegionDatabase
  readonly byRegion: Readonly<Record<Region, RegionDatabase>>
  readonly all: readonly RegionDatabase[]
  destroy(): Promise<void>
}

export type OpenOptions = { poolSize?: number }

const INT8_OID = 20
const NUMERIC_OID = 1700

// Times are epoch-ms bigints and counts come back as int8: both fit safely in a JS number.
const pgTypes = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID || oid === NUMERIC_OID ? Number : pg.types.getTypeParser(oid, format),
}

/**
 * The SQLite files hold personal data: the directory is created 0700 and the files 0600. SQLite creates
 * -wal and -shm with the mode of the database file, so creating that file 0600 first covers them; files
 * left readable by an older version are tightened on open.
 */
const preparePrivateSqliteFile = (file: string): void => {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600))
  for (const each of [file, `${file}-wal`, `${file}-shm`]) tightenIfPresent(each)
}

// Another process may remove its -wal or -shm between a check and the chmod: absent is fine.
const tightenIfPresent = (file: string) => {
  try {
    chmodSync(file, 0o600)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
}

/**
 * The pool as Kysely sees it: a prepared query's SQL (prepared.ts) is sent as a named statement, which
 * PostgreSQL parses and plans once per connection; any other SQL goes as it is.
 */
const isStalePreparedStatement = (error: unknown): boolean => {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown }
  return (
    code === '26000' ||
    (code === '0A000' && typeof message === 'string' && message.includes('cached plan must not change'))
  )
}

const withNamedStatements = (pool: pg.Pool): PostgresPool => {
  // One wrapper per pooled connection, as Kysely keeps its own state per client object.
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>()
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    // pg never prepares a name twice on a connection, so a statement PostgreSQL no longer holds (a pooler
    // dropped it) or can no longer run (a migration changed a selected column's type) would fail on every
    // later call: the connection is closed instead of returned, and the next one prepares afresh.
    let stale = false
    const query = (first: string | pg.Submittable, parameters: readonly unknown[] = []) => {
      if (typeof first !== 'string') return client.query(first)
      const name = statementNameOf(first)
      // Kysely hands each query a fresh copy of its parameters already.
      const values = parameters as unknown[]
      if (name === undefined) return client.query({ text: first, values })
      return client.query({ name, text: first, values }).catch((error: unknown) => {
        if (isStalePreparedStatement(error)) stale = true
        throw error
      })
    }
    return {
      query: query as unknown as PostgresPoolClient['query'],
      release: (destroy?: boolean) => {
        if (stale) wrappers.delete(client)
        client.release(destroy || stale)
      },
    }
  }
  return {
    connect: async () => {
      const client = await pool.connect()
      let wrapper = wrappers.get(client)
      if (!wrapper) {
        wrapper = wrap(client)
        wrappers.set(client, wrapper)
      }
      return wrapper
    },
    end: () => pool.end(),
  }
}

export const openRegionDatabase = (
  region: Region,
  target: DatabaseTarget,
  options: OpenOptions = {},
): RegionDatabase => {
  if (target.dialect === 'sqlite') {
    if (target.file !== ':memory:') preparePrivateSqliteFile(target.file)
    const database = new Database(target.file)
    applySqlitePragmas(database)
    const committedJobs = sqliteCommitNotifications(database)
    const db = new Kysely<DB>({
      dialect: new ImmediateSqliteDialect({ database: withStatementCache(database) }, committedJobs),
    })
    return { region, dialect: 'sqlite', db, committedJobs, destroy: () => db.destroy() }
  }
  const pool = new pg.Pool({
    connectionString: target.url,
    max: options.poolSize ?? 10,
    types: pgTypes,
  })
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {})
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: withNamedStatements(pool) }) })
  const committedJobs = postgresCommitNotifications(target.url)
  return {
    region,
    dialect: 'postgres',
    db,
    committedJobs,
    destroy: async () => {
      await committedJobs.close()
      await db.destroy()
    },
  }
}

export const openDatabases = (
  targets: Record<Region, DatabaseTarget>,
  options: Partial<Record<Region, OpenOptions>> = {},
): Databases => {
  const intl = openRegionDatabase('intl', targets.intl, options.intl)
  const us = openRegionDatabase('us', targets.us, options.us)
  const all = [intl, us] as const
  return {
    home: intl,
    byRegion: { intl, us },
    all,
    destroy: async () => {
      await Promise.all(all.map((database) => database.destroy()))
    },
  }
}

export const isPostgres = (database: Pick<RegionDatabase, 'dialect'>): boolean =>
  database.dialect === 'postgres'
