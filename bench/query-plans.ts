/**
 * The query plans of the hot paths, as the code runs them at the time: the bench opens the runtime in
 * its own process on the loaded database, drives one GET /v1/user and one session creation through the
 * app (inject), and records every statement the drivers are given, whether Kysely built it or the code
 * prepared it itself. Each statement is explained where and when it runs, with its parameters:
 * - SQLite: EXPLAIN QUERY PLAN on the same connection just before it executes (it plans, runs nothing);
 * - PostgreSQL: EXPLAIN (ANALYZE, BUFFERS) on the same connection just before it executes, inside a
 *   savepoint (or a transaction of its own) rolled back at once, so the statement then runs exactly as
 *   it would have, on the rows and locks of its own transaction.
 */
import Database from 'better-sqlite3'
import pg from 'pg'
import type { Config } from '../src/config/config.ts'
import type { Dialect } from '../src/db/database.ts'
import { createLogger } from '../src/lib/logger.ts'
import { createApp, openRuntime } from '../src/runtime.ts'

export type ExplainedStatement = { sql: string; plan: string[]; control: boolean }
export type ExplainedRequest = {
  name: string
  status: number
  /** Statements sent to the database, transaction control included (PostgreSQL: round trips). */
  statements: ExplainedStatement[]
}

const CONTROL = /^\s*(begin|commit|rollback|savepoint|release)\b/i

let recording: ExplainedStatement[] | undefined
let explaining = false

// ---- SQLite: every execution of a prepared statement -----------------------------------------------

type PlanRow = { id: number; parent: number; detail: string }

/** EXPLAIN QUERY PLAN's rows as the sqlite3 shell shows them: one line per step, children indented. */
const sqlitePlanLines = (rows: PlanRow[]): string[] => {
  const depth = new Map<number, number>([[0, -1]])
  return rows.map((row) => {
    const level = (depth.get(row.parent) ?? -1) + 1
    depth.set(row.id, level)
    return `${'  '.repeat(level)}${row.detail}`
  })
}

const recordSqlite = (statement: Database.Statement, args: unknown[]) => {
  const sql = statement.source
  if (CONTROL.test(sql)) {
    recording?.push({ sql, plan: [], control: true })
    return
  }
  explaining = true
  try {
    const rows = statement.database.prepare(`explain query plan ${sql}`).all(...args) as PlanRow[]
    recording?.push({ sql, plan: sqlitePlanLines(rows), control: false })
  } finally {
    explaining = false
  }
}

const installSqliteRecorder = (): (() => void) => {
  const probe = new Database(':memory:')
  const prototype = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, unknown>
  probe.close()
  const originals = (['run', 'get', 'all', 'iterate'] as const).map(
    (name) => [name, prototype[name] as (...args: unknown[]) => unknown] as const,
  )
  for (const [name, original] of originals) {
    prototype[name] = function (this: Database.Statement, ...args: unknown[]) {
      if (recording && !explaining) recordSqlite(this, args)
      return original.apply(this, args)
    }
  }
  return () => {
    for (const [name, original] of originals) prototype[name] = original
  }
}

// ---- PostgreSQL: every query a client sends ------------------------------------------------------

const installPostgresRecorder = (): (() => void) => {
  const prototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }
  const original = prototype.query
  const inTransaction = new WeakSet<object>()
  const send = (client: object, text: string, values?: unknown[]) =>
    original.call(client, text, values) as Promise<pg.QueryResult>
  const explain = async (client: object, text: string, values: unknown[] | undefined) => {
    const inside = inTransaction.has(client)
    await send(client, inside ? 'savepoint bench_query_plan' : 'begin')
    try {
      const result = await send(client, `explain (analyze, buffers) ${text}`, values)
      return result.rows.map((row: Record<string, string>) => row['QUERY PLAN'] as string)
    } catch (error) {
      return [`(explain failed: ${(error as Error).message})`]
    } finally {
      await send(client, inside ? 'rollback to savepoint bench_query_plan' : 'rollback')
    }
  }
  prototype.query = function (this: object, ...args: unknown[]) {
    const [config, values, callback] = args
    const text =
      typeof config === 'string'
        ? config
        : typeof (config as { text?: unknown })?.text === 'string' &&
            typeof (config as { submit?: unknown }).submit !== 'function'
          ? (config as { text: string }).text
          : undefined
    if (!recording || text === undefined || typeof callback === 'function' || typeof values === 'function')
      return original.apply(this, args)
    const statements = recording
    if (CONTROL.test(text)) {
      if (/^\s*begin/i.test(text)) inTransaction.add(this)
      if (/^\s*(commit|rollback)\b/i.test(text) && !/to\s+savepoint/i.test(text)) inTransaction.delete(this)
      statements.push({ sql: text, plan: [], control: true })
      return original.apply(this, args)
    }
    const parameters = (values as unknown[] | undefined) ?? (config as { values?: unknown[] }).values
    return explain(this, text, parameters).then((plan) => {
      statements.push({ sql: text, plan, control: false })
      return original.apply(this, args)
    })
  }
  return () => {
    prototype.query = original
  }
}

/**
 * Drives GET /v1/user and GET /v1/user/verification for `token`'s user (one with history and no open
 * link) through the app on the database of `config`, and explains every statement they execute.
 */
export const explainHotQueries = async (
  dialect: Dialect,
  config: Config,
  clientKey: string,
  token: string,
): Promise<ExplainedRequest[]> => {
  const runtime = await openRuntime(config, { log: createLogger('warn') })
  const app = await createApp(runtime)
  const uninstall = dialect === 'sqlite' ? installSqliteRecorder() : installPostgresRecorder()
  const headers = { 'x-client-key': clientKey, authorization: `Bearer ${token}` }
  const traced = async (name: string, url: string): Promise<ExplainedRequest> => {
    const statements: ExplainedStatement[] = []
    recording = statements
    try {
      const response = await app.inject({ method: 'GET', url, headers })
      return { name, status: response.statusCode, statements }
    } finally {
      recording = undefined
    }
  }
  try {
    await app.ready()
    // Untraced: what a running server has already done once (the client cache, lazy setup).
    await app.inject({ method: 'GET', url: '/v1/user', headers })
    return [
      await traced('GET /v1/user', '/v1/user'),
      await traced('GET /v1/user/verification (creates a session)', '/v1/user/verification'),
    ]
  } finally {
    uninstall()
    await app.close()
    await runtime.close()
  }
}

// ---- the report ----------------------------------------------------------------------------------

const NOT_AN_INDEX_LOOKUP: Record<Dialect, RegExp> = {
  sqlite: /^\s*(SCAN (?!CONSTANT ROW)|USE TEMP B-TREE)/,
  postgres: /(^|->)\s*(Seq Scan on|Sort\s+\(|Incremental Sort\s+\()/,
}

/**
 * SQLite shows reading the rows a CTE or subquery has just produced (MATERIALIZE x, CO-ROUTINE x) as
 * SCAN x: that reads what the index lookups under it found, not a table.
 */
const producedNames = (plan: string[]): Set<string> =>
  new Set(plan.flatMap((line) => /^\s*(?:MATERIALIZE|CO-ROUTINE) (\S+)/.exec(line)?.slice(1) ?? []))

/** The steps of a plan that read more than an index lookup does (a scan of a table, a sort). */
export const planWarnings = (dialect: Dialect, requests: ExplainedRequest[]): string[] =>
  requests.flatMap((request) =>
    request.statements.flatMap((statement) =>
      statement.plan
        .filter((line) => NOT_AN_INDEX_LOOKUP[dialect].test(line))
        .filter((line) => !producedNames(statement.plan).has(/^\s*SCAN (\S+)/.exec(line)?.[1] ?? ''))
        .map((line) => `${request.name}: \`${line.trim()}\` in \`${statement.sql.slice(0, 80)}…\``),
    ),
  )

export const queryPlansSection = (dialect: Dialect, requests: ExplainedRequest[]): string =>
  requests
    .map((request) => {
      const queries = request.statements.filter((statement) => !statement.control)
      const heading = `#### ${dialect}: ${request.name} → ${request.status}, ${request.statements.length} statements (${queries.length} queries, ${request.statements.length - queries.length} transaction control)`
      const body = queries
        .map(
          (statement, i) =>
            `${i + 1}. \`${statement.sql.replaceAll('`', "'")}\`\n\n   \`\`\`\n${statement.plan.map((line) => `   ${line}`).join('\n') || '   (no plan steps)'}\n   \`\`\``,
        )
        .join('\n')
      return `${heading}\n\n${body}\n`
    })
    .join('\n')
