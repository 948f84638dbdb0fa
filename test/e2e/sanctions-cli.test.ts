import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.ts'
import { createTestDatabaseTargets, DIALECTS, type TestDatabaseTargets } from '../helpers/dialects.ts'

const FIXTURES = 'test/fixtures/sanctions'

describe.each(DIALECTS)('verity sanctions, as an operator uses it (%s)', (dialect) => {
  let storage: TestDatabaseTargets
  let env: Record<string, string>

  beforeAll(async () => {
    storage = await createTestDatabaseTargets(dialect)
    env = { DATA_DIR: storage.dataDir, LOG_LEVEL: 'info', ...storage.env }
  })
  afterAll(() => storage.cleanup())

  it('imports a list (no progress bar when not on a terminal), lists it, and refuses a malformed file', async () => {
    const imported = await runCli(
      ['sanctions', 'import', `${FIXTURES}/sdn.csv`, '--aliases', `${FIXTURES}/alt.csv`, '--json'],
      env,
    )
    expect(imported.stderr).toBe('')
    expect(imported.code).toBe(0)
    const version = JSON.parse(imported.stdout)
    expect(version).toMatchObject({ list: 'ofac-sdn', format: 'ofac-sdn-csv', entries: 6, names: 8 })

    const malformed = await runCli(
      ['sanctions', 'import', `${FIXTURES}/malformed.csv`, '--list', 'ofac-sdn'],
      env,
    )
    expect(malformed.code).toBe(1)
    expect(malformed.stderr).toBe('error: sanctions file, line 3–4: expected 3 fields, found 4\n')

    const listed = await runCli(['sanctions', 'list'], env)
    expect(listed.code, listed.stderr).toBe(0)
    expect(listed.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(
          `^ofac-sdn  current   ${version.versionId}  ofac-sdn-csv  6 entries  8 names .* sha256 ${version.sha256}$`,
        ),
      ),
    ])

    const alerts = await runCli(['review', 'alerts', '--json'], env)
    expect(alerts.code, alerts.stderr).toBe(0)
    expect(JSON.parse(alerts.stdout)).toEqual([])
  })
})
