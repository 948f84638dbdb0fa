import { sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Queryable } from '../../src/db/database.ts'
import { preparedQuery } from '../../src/db/prepared.ts'
import { statementNameOf } from '../../src/db/statement-names.ts'
import { openTestDatabases, type TestDatabases } from '../helpers/databases.ts'
import { DIALECTS } from '../helpers/dialects.ts'

const insertJob = (db: Queryable, id: string, runAt: number) =>
  db
    .insertInto('job')
    .values({
      id,
      type: 'test.prepared',
      payload: '{}',
      status: 'pending',
      attempts: 0,
      max_attempts: 1,
      run_at: runAt,
      created_at: runAt,
      updated_at: runAt,
    })
    .execute()

// Fixed values (the status) stay bound as compiled; only the arguments change between runs.
const dueJobs = preparedQuery((db: Queryable, type: string, before: number) =>
  db
    .selectFrom('job')
    .select(['id', 'run_at'])
    .where('type', '=', type)
    .where('status', '=', 'pending')
    .where('run_at', '<', before)
    .orderBy('run_at'),
)

describe.each(DIALECTS)('prepared queries (%s)', (dialect) => {
  let t: TestDatabases
  beforeEach(async () => {
    t = await openTestDatabases(dialect)
    for (const [id, runAt] of [
      ['a', 100],
      ['b', 200],
      ['c', 300],
    ] as const)
      await insertJob(t.databases.home.db, id, runAt)
  })
  afterEach(() => t.close())

  it('binds each run its own arguments', async () => {
    const { db } = t.databases.home
    expect((await dueJobs.all(db, 'test.prepared', 250)).map((row) => row.id)).toEqual(['a', 'b'])
    expect((await dueJobs.all(db, 'test.prepared', 150)).map((row) => row.id)).toEqual(['a'])
    expect(await dueJobs.all(db, 'other', 1000)).toEqual([])
    expect((await dueJobs.first(db, 'test.prepared', 1000))?.id).toBe('a')
  })

  it('runs inside a transaction on its connection, and in every region database', async () => {
    const seen = await t.databases.home.db.transaction().execute(async (trx) => {
      await insertJob(trx, 'd', 50)
      return dueJobs.all(trx, 'test.prepared', 150)
    })
    expect(seen.map((row) => row.id)).toEqual(['d', 'a'])
    expect(await dueJobs.all(t.databases.byRegion.us.db, 'test.prepared', 1000)).toEqual([])
  })

  it('counts the rows a prepared update changed', async () => {
    const release = preparedQuery((db: Queryable, before: number) =>
      db.updateTable('job').set({ status: 'done' }).where('run_at', '<', before),
    )
    expect(await release.affected(t.databases.home.db, 250)).toBe(2)
    expect(await release.affected(t.databases.home.db, 250)).toBe(2)
    expect(await release.affected(t.databases.home.db, 0)).toBe(0)
  })

  it('refuses a builder that computes with an argument instead of binding it', async () => {
    const computing = preparedQuery((db: Queryable, before: number) =>
      db
        .selectFrom('job')
        .select('id')
        .where('run_at', '<', Number(before) + 1),
    )
    await expect(computing.all(t.databases.home.db, 250)).rejects.toThrow(/argument 0 is not a bound value/)
  })

  it('refuses a select of * (a prepared statement must name its columns)', async () => {
    const starred = preparedQuery((db: Queryable, id: string) =>
      db.selectFrom('job').selectAll().where('id', '=', id),
    )
    await expect(starred.all(t.databases.home.db, 'a')).rejects.toThrow(/name its columns/)
  })

  it.runIf(dialect === 'postgres')(
    'is prepared once per connection on PostgreSQL, and survives a column added meanwhile',
    async () => {
      const { db } = t.databases.home
      const seen = await db.transaction().execute(async (trx) => {
        await dueJobs.all(trx, 'test.prepared', 250)
        const compiled = trx
          .selectFrom('job')
          .select(['id', 'run_at'])
          .where('type', '=', 'x')
          .where('status', '=', 'pending')
          .where('run_at', '<', 1)
          .orderBy('run_at')
          .compile()
        const prepared = await sql<{ name: string }>`select name from pg_prepared_statements`.execute(trx)
        return { names: prepared.rows.map((row) => row.name), expected: statementNameOf(compiled.sql) }
      })
      expect(seen.expected).toMatch(/^verity_/)
      expect(seen.names).toContain(seen.expected)
      // What a migration applied by another instance does while this one runs.
      await sql`alter table job add column prepared_probe text`.execute(db)
      for (let i = 0; i < 12; i++)
        expect((await dueJobs.all(db, 'test.prepared', 250)).map((row) => row.id)).toEqual(['a', 'b'])
    },
  )

  it('refuses a call with another number of arguments than the first', async () => {
    const spread = preparedQuery((db: Queryable, ...ids: string[]) =>
      db.selectFrom('job').select('id').where('id', 'in', ids),
    )
    expect(await spread.all(t.databases.home.db, 'a', 'b')).toHaveLength(2)
    await expect(spread.all(t.databases.home.db, 'a', 'b', 'c')).rejects.toThrow(/compiled for 2/)
  })

  it.runIf(dialect === 'postgres')(
    'drops a connection whose prepared statement PostgreSQL no longer holds, and the next one prepares it again',
    async () => {
      const { db } = t.databases.home
      await expect(
        db.transaction().execute(async (trx) => {
          await dueJobs.all(trx, 'test.prepared', 250)
          // What a pooler in transaction mode, or a server restart behind a proxy, does to it.
          await sql`deallocate all`.execute(trx)
          await dueJobs.all(trx, 'test.prepared', 250)
        }),
      ).rejects.toThrow(/does not exist/)
      for (let i = 0; i < 12; i++)
        expect((await dueJobs.all(db, 'test.prepared', 250)).map((row) => row.id)).toEqual(['a', 'b'])
    },
  )
})
