import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import type { DatabaseTarget } from '../../src/config/config.ts'
import type { Dialect, Region } from '../../src/db/database.ts'

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL

/**
 * Which dialects the suites run on, from TEST_DIALECTS (`sqlite`, `postgres` or `sqlite,postgres`).
 * Unset, it is SQLite always and PostgreSQL too when TEST_DATABASE_URL is set (what CI does). Asking
 * for PostgreSQL without a database to run it on is an error rather than a silently skipped dialect.
 */
export const selectDialects = (requested: string | undefined, postgresUrl: string | undefined): Dialect[] => {
  if (requested === undefined || requested.trim() === '') {
    return postgresUrl ? ['sqlite', 'postgres'] : ['sqlite']
  }
  const names = requested.split(',').map((name) => name.trim())
  const unknown = names.filter((name) => name !== 'sqlite' && name !== 'postgres')
  if (unknown.length > 0) {
    throw new Error(
      `TEST_DIALECTS: unknown dialect ${unknown.join(', ')} (expected sqlite, postgres or both)`,
    )
  }
  if (names.includes('postgres') && !postgresUrl) {
    throw new Error(
      'TEST_DIALECTS asks for postgres but TEST_DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/postgres)',
    )
  }
  return (['sqlite', 'postgres'] as const).filter((dialect) => names.includes(dialect))
}

/** The dialects every integration suite runs on. Each suite gets its own SQLite files or PostgreSQL database. */
export const DIALECTS: Dialect[] = selectDialects(process.env.TEST_DIALECTS, TEST_DATABASE_URL)

export type TestDatabaseTargets = {
  dialect: Dialect
  dataDir: string
  targets: Record<Region, DatabaseTarget>
  /** The same targets as DATABASE_URL / US_DATABASE_URL values, for child processes. */
  env: Record<'DATABASE_URL' | 'US_DATABASE_URL', string>
  cleanup(): Promise<void>
}

const withSearchPath = (url: string, schema: string): string => {
  const parsed = new URL(url)
  parsed.searchParams.set('options', `-c search_path=${schema}`)
  return parsed.toString()
}

export const createTestDatabaseTargets = async (
  dialect: Dialect,
  postgresUrl = TEST_DATABASE_URL,
): Promise<TestDatabaseTargets> => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'verity-test-'))
  if (dialect === 'sqlite') {
    const targets = {
      intl: { dialect: 'sqlite', file: path.join(dataDir, 'intl.sqlite') },
      us: { dialect: 'sqlite', file: path.join(dataDir, 'us.sqlite') },
    } as const
    return {
      dialect,
      dataDir,
      targets,
      env: { DATABASE_URL: `sqlite:${targets.intl.file}`, US_DATABASE_URL: `sqlite:${targets.us.file}` },
      cleanup: async () => rmSync(dataDir, { recursive: true, force: true }),
    }
  }
  if (!postgresUrl) throw new Error('TEST_DATABASE_URL is not set')
  // A database of its own per suite, not only schemas: Kysely's migrator lists every schema of its
  // database, and a schema that another suite drops during that query fails it ("schema does not exist").
  const name = `t_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: postgresUrl })
  await admin.connect()
  await admin.query(`create database "${name}"`)
  await admin.end()
  const suiteUrl = new URL(postgresUrl)
  suiteUrl.pathname = `/${name}`
  const schemas = { intl: 'intl', us: 'us' }
  const creator = new pg.Client({ connectionString: suiteUrl.toString() })
  await creator.connect()
  for (const schema of Object.values(schemas)) await creator.query(`create schema "${schema}"`)
  await creator.end()
  const urls = {
    intl: withSearchPath(suiteUrl.toString(), schemas.intl),
    us: withSearchPath(suiteUrl.toString(), schemas.us),
  }
  return {
    dialect,
    dataDir,
    targets: { intl: { dialect: 'postgres', url: urls.intl }, us: { dialect: 'postgres', url: urls.us } },
    env: { DATABASE_URL: urls.intl, US_DATABASE_URL: urls.us },
    cleanup: async () => {
      const cleaner = new pg.Client({ connectionString: postgresUrl })
      await cleaner.connect()
      // FORCE: a connection the suite left behind (a killed child process) must not keep it alive.
      await cleaner.query(`drop database if exists "${name}" with (force)`)
      await cleaner.end()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
