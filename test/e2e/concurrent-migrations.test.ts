import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabases } from '../../src/db/database.ts'
import { migrationStatus } from '../../src/db/migrate.ts'
import { migrations } from '../../src/db/migrations/index.ts'
import { runCli } from '../helpers/cli.ts'
import { createTestDatabaseTargets, DIALECTS, type TestDatabaseTargets } from '../helpers/dialects.ts'

describe.each(DIALECTS)('several processes migrating at once (%s)', (dialect) => {
  let storage: TestDatabaseTargets
  beforeAll(async () => {
    storage = await createTestDatabaseTargets(dialect)
  })
  afterAll(() => storage.cleanup())

  it('all succeed and every migration is applied exactly once', async () => {
    const env = { DATA_DIR: storage.dataDir, ...storage.env }
    const results = await Promise.all(Array.from({ length: 4 }, () => runCli(['migrate'], env)))
    for (const result of results) expect(result, result.stderr).toMatchObject({ code: 0, stderr: '' })
    const applied = results.flatMap((result) => result.stdout.match(/applied 0001_foundation/g) ?? [])
    // Each region's migration ran in exactly one of the processes; the others found it done.
    expect(applied).toHaveLength(2)

    const databases = openDatabases(storage.targets)
    try {
      for (const database of databases.all) {
        expect(await migrationStatus(database)).toEqual({ applied: Object.keys(migrations), pending: [] })
      }
    } finally {
      await databases.destroy()
    }
  })
})
