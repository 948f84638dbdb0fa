import {
  InsertQueryNode,
  type KyselyPlugin,
  type QueryId,
  type RootOperationNode,
  sql,
  TableNode,
  UpdateQueryNode,
} from 'kysely'
import { type Databases, isPostgres, type Region, type RegionDatabase } from '../../src/db/database.ts'
import { eventually } from './databases.ts'

export type HeldDatabase = {
  /** The region's database, for the code under test: the first query `matches` picks does not return. */
  database: RegionDatabase
  /** All databases, with that one in its places: code that compares databases must see one object. */
  databases: Databases
  /** Resolves once the held query has run (so its transaction is open, holding its locks). */
  reached: Promise<void>
  /** Lets the held query return, and its caller carry on (commit, usually). */
  release(): void
}

/**
 * Puts the caller's transaction at a known point instead of racing it: the first query that `matches`
 * picks runs, then its result is kept back until `release()`. Meanwhile the test starts a competitor
 * and checks it waits. The code under test takes the database as an explicit dependency, so nothing in
 * it changes; a Kysely plugin sees every query, inside transactions too.
 */
export const holdAfter = (
  databases: Databases,
  region: Region,
  matches: (node: RootOperationNode) => boolean,
): HeldDatabase => {
  let held: QueryId | undefined
  let reach = () => {}
  let release = () => {}
  const reached = new Promise<void>((resolve) => {
    reach = resolve
  })
  const released = new Promise<void>((resolve) => {
    release = resolve
  })
  const plugin: KyselyPlugin = {
    transformQuery: ({ node, queryId }) => {
      if (held === undefined && matches(node)) held = queryId
      return node
    },
    transformResult: async ({ result, queryId }) => {
      if (queryId === held) {
        reach()
        await released
      }
      return result
    },
  }
  const original = databases.byRegion[region]
  const database: RegionDatabase = { ...original, db: original.db.withPlugin(plugin) }
  const instead = (each: RegionDatabase) => (each === original ? database : each)
  return {
    database,
    databases: {
      ...databases,
      home: instead(databases.home),
      byRegion: { intl: instead(databases.byRegion.intl), us: instead(databases.byRegion.us) },
      all: databases.all.map(instead),
    },
    reached,
    release,
  }
}

/** Matches an UPDATE of `table`. */
export const updateOf =
  (table: string) =>
  (node: RootOperationNode): boolean =>
    UpdateQueryNode.is(node) &&
    node.table !== undefined &&
    TableNode.is(node.table) &&
    node.table.table.identifier.name === table

/**
 * Resolves once some transaction waits for a row lock on `table` held by another one. PostgreSQL shows
 * the waiter in pg_locks (it holds the tuple lock while it waits for the holder's transaction). SQLite
 * has one connection per database file here and every transaction holds the write lock: a transaction
 * started while another is open waits for the connection and cannot be seen doing so, so for SQLite
 * this only lets the competitor run up to that wait.
 */
export const someoneWaitsForRowLock = async (database: RegionDatabase, table: string): Promise<void> => {
  if (!isPostgres(database)) {
    await new Promise((resolve) => setImmediate(resolve))
    return
  }
  await eventually(async () => {
    const { rows } = await sql<{ waiting: number }>`
      select count(*)::int as waiting from pg_locks
      where locktype = 'tuple' and relation = ${table}::regclass`.execute(database.db)
    if (rows[0]?.waiting !== 1) throw new Error(`nobody waits for a row of ${table} yet`)
  }, 5_000)
}

/** Matches an INSERT into `table`. */
export const insertInto =
  (table: string) =>
  (node: RootOperationNode): boolean =>
    InsertQueryNode.is(node) && node.into?.table.identifier.name === table

/**
 * Resolves once some transaction waits for a name lock (lockNames) another one holds: PostgreSQL shows
 * an advisory lock not yet granted. SQLite takes no name locks; as for someoneWaitsForRowLock, this
 * only lets the competitor run up to its wait for the connection.
 */
export const someoneWaitsForNameLock = async (database: RegionDatabase): Promise<void> => {
  if (!isPostgres(database)) {
    await new Promise((resolve) => setImmediate(resolve))
    return
  }
  await eventually(async () => {
    const { rows } = await sql<{ waiting: number }>`
      select count(*)::int as waiting from pg_locks
      where locktype = 'advisory' and not granted
        and database = (select oid from pg_database where datname = current_database())`.execute(database.db)
    if (!rows[0]?.waiting) throw new Error('nobody waits for a name lock yet')
  }, 5_000)
}
