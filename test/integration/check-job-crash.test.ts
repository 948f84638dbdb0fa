import { spawn } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { systemClock } from '../../src/lib/clock.ts'
import { createWorker } from '../../src/runtime.ts'
import { drawsFor, labelledCases } from '../accuracy/cases.ts'
import { SANCTIONS_FIXTURE } from '../accuracy/run-cases.ts'
import { runCli } from '../helpers/cli.ts'
import { eventually } from '../helpers/databases.ts'
import { DIALECTS } from '../helpers/dialects.ts'
import { liveHarness } from '../helpers/live-submission.ts'

const LEASE_MS = 3_000

/**
 * A worker killed in the middle of a submission's checks (SIGKILL while its analysis runs): the
 * submission is checked again by the next worker once the lease is over, and decided exactly once.
 */
describe.each(DIALECTS)('a worker killed in mid-check (%s)', (dialect) => {
  const draws: number[] = []
  let harness: Awaited<ReturnType<typeof liveHarness>>
  beforeAll(async () => {
    harness = await liveHarness(dialect, {
      worker: false,
      env: { JOB_VISIBILITY_TIMEOUT_MS: String(LEASE_MS) },
      randomBelow: (below) => (draws.shift() ?? 0) % below,
    })
    const imported = await runCli(
      ['sanctions', 'import', SANCTIONS_FIXTURE, '--format', 'csv', '--list', 'internal'],
      { DATA_DIR: harness.t.storage.dataDir, ...harness.t.storage.env },
    )
    expect(imported.code, imported.stderr).toBe(0)
  }, 120_000)
  afterAll(() => harness.close())

  it('leaves the submission to be checked again, not lost and not decided twice', async () => {
    const { t } = harness
    const labelled = labelledCases(t.clock.now()).find((each) => each.id === 'genuine passport')
    if (!labelled) throw new Error('no genuine passport case')
    // A worker for the registration's codes only, stopped before the submission: its check job waits.
    const mailer = createWorker(t.runtime, { pollIntervalMs: 20 })
    mailer.start()
    const user = await harness.registerPerson(labelled.person).finally(() => mailer.stop())
    const { submission, answer } = await labelled.build()
    draws.push(...drawsFor(answer?.steps ?? []))
    const sessionId = await harness.submit(user, submission, () => answer?.frames ?? [])
    const checkJob = () =>
      user.database.db
        .selectFrom('job')
        .selectAll()
        .where('type', '=', 'verification.check')
        .executeTakeFirstOrThrow()

    const child = spawn(process.execPath, ['bin/verity.js', 'worker'], {
      env: {
        ...process.env,
        ...t.storage.env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        DATA_DIR: t.storage.dataDir,
        SERVER_SECRET: t.runtime.config.serverSecret.toString('base64'),
        JOB_VISIBILITY_TIMEOUT_MS: String(LEASE_MS),
        JOB_POLL_INTERVAL_MS: '20',
      },
      stdio: 'ignore',
    })
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    )
    // Claimed: the child is analysing (models loaded, seconds of CPU ahead) — kill it there.
    await eventually(async () => expect(await checkJob()).toMatchObject({ status: 'running' }), 60_000, 5)
    child.kill('SIGKILL')
    expect(await exited).toBe('SIGKILL')
    const session = () =>
      user.database.db
        .selectFrom('verification_session')
        .selectAll()
        .where('id', '=', sessionId)
        .executeTakeFirstOrThrow()
    expect(await session()).toMatchObject({ status: 'submitted', outcome: null })

    const rescuer = createWorker(t.runtime, { clock: systemClock, pollIntervalMs: 20, leaseMs: LEASE_MS })
    rescuer.start()
    try {
      const decision = await harness.decisionOf(user, sessionId, 120_000)
      expect(decision.outcome).toBe('approved')
      await eventually(
        async () => expect(await checkJob()).toMatchObject({ status: 'done', attempts: 2 }),
        30_000,
      )
    } finally {
      await rescuer.stop()
    }
    // Decided once: one transition out of PENDING, one decision event for the client.
    const transitions = await user.database.db
      .selectFrom('verification_state_transition')
      .select(['to_state'])
      .where('user_id', '=', user.id)
      .execute()
    expect(transitions.filter((row) => row.to_state === 'VERIFIED')).toHaveLength(1)
  }, 240_000)
})
