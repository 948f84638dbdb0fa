import { spawn } from 'node:child_process'
import { appendFileSync, existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { enqueueJob } from '../../src/jobs/queue.ts'
import { Worker } from '../../src/jobs/worker.ts'
import { systemClock } from '../../src/lib/clock.ts'
import { createLogger } from '../../src/lib/logger.ts'
import { eventually, openTestDatabases, type TestDatabases } from '../helpers/databases.ts'
import { DIALECTS } from '../helpers/dialects.ts'
import { testJob } from '../helpers/jobs.ts'

const LEASE_MS = 1_500

describe.each(DIALECTS)('a worker killed while holding a job (%s)', (dialect) => {
  let t: TestDatabases
  beforeEach(async () => {
    t = await openTestDatabases(dialect)
  })
  afterEach(() => t.close())

  it('loses nothing: after the lease another worker runs the job, and it completes once', async () => {
    const marker = path.join(t.storage.dataDir, 'marker.log')
    const intl = t.databases.byRegion.intl
    const id = await enqueueJob(intl.db, systemClock, testJob('test.block'), {})

    const child = spawn(process.execPath, ['test/fixtures/blocking-worker.ts'], {
      env: {
        ...process.env,
        ...t.storage.env,
        NODE_ENV: 'test',
        DATA_DIR: t.storage.dataDir,
        JOB_VISIBILITY_TIMEOUT_MS: String(LEASE_MS),
        MARKER_FILE: marker,
      },
      stdio: 'inherit',
    })
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    )
    await eventually(
      () => expect(existsSync(marker) && readFileSync(marker, 'utf8')).toContain(`claimed ${id}`),
      20_000,
    )
    const claimed = await intl.db.selectFrom('job').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    expect(claimed).toMatchObject({ status: 'running', attempts: 1 })

    child.kill('SIGKILL')
    expect(await exited).toBe('SIGKILL')

    let rescuedAt = 0
    const rescuer = new Worker({
      databases: t.databases.all,
      definitions: [
        {
          ...testJob('test.block'),
          handle: async (_payload, { job }) => {
            rescuedAt = Date.now()
            appendFileSync(marker, `completed ${job.id}\n`)
          },
        },
      ],
      clock: systemClock,
      log: createLogger('silent'),
      concurrency: 1,
      pollIntervalMs: 20,
      leaseMs: LEASE_MS,
    })
    rescuer.start()
    try {
      await eventually(async () => {
        const row = await intl.db.selectFrom('job').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
        expect(row).toMatchObject({ status: 'done', attempts: 2 })
      }, 15_000)
    } finally {
      await rescuer.stop()
    }
    // It came back only once the dead worker's lease had run out, not before.
    expect(rescuedAt).toBeGreaterThanOrEqual(claimed.locked_until as number)
    const lines = readFileSync(marker, 'utf8').trim().split('\n')
    expect(lines.filter((line) => line.startsWith('claimed'))).toHaveLength(1)
    expect(lines.filter((line) => line === `completed ${id}`)).toHaveLength(1)
  })
})
