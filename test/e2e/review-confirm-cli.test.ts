import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { submitSession } from '../../src/modules/verification/index.ts'
import { api } from '../helpers/accounts.ts'
import { buildTestApp, type TestApp } from '../helpers/app.ts'
import { registerSandboxUser } from '../helpers/capture.ts'
import { runCli } from '../helpers/cli.ts'
import { DIALECTS } from '../helpers/dialects.ts'
import { checksSendToReview } from '../helpers/review.ts'
import { openLink } from '../helpers/sessions.ts'

/**
 * Four-eyes at the CLI: `verity review decide` proposes a sanctions rejection instead of applying it,
 * and `verity review confirm` by another reviewer applies it; the proposer cannot.
 */
describe.each(DIALECTS)('verity review confirm (%s)', (dialect) => {
  let t: TestApp
  let env: Record<string, string>

  beforeAll(async () => {
    // No worker: the submission stays undecided, waiting for a person at the CLI.
    t = await buildTestApp(dialect)
    env = {
      DATA_DIR: t.storage.dataDir,
      SERVER_SECRET: t.runtime.config.serverSecret.toString('base64'),
      ...t.storage.env,
    }
  })
  afterAll(() => t.close())

  it('proposes a sanctions rejection, refuses its proposer, applies it on a second reviewer', async () => {
    const { clientKey } = (await t.createClient({ name: 'reviewed' })).client
    const user = await registerSandboxUser(t, clientKey, { firstName: 'Jane', lastName: 'Doe' })
    const started = await api(t.app, clientKey).get('/v1/user/verification', {
      authorization: `Bearer ${user.token}`,
    })
    const { sessionUrl, sessionId } = started.json() as { sessionUrl: string; sessionId: string }
    expect((await openLink(t.app, sessionUrl)).statusCode).toBe(303)
    await submitSession(t.runtime, user.database, sessionId, false)
    await checksSendToReview(t.runtime, user.database, sessionId)

    const decided = await runCli(
      [
        'review',
        'decide',
        sessionId,
        'reject',
        '--reason',
        'SANCTIONS_MATCH',
        '--reviewer',
        'alice@example.com',
      ],
      env,
    )
    expect(decided.code, decided.stderr).toBe(0)
    const proposed = JSON.parse(decided.stdout)
    expect(proposed).toMatchObject({
      outcome: 'review',
      pendingDecision: { action: 'reject', reasonCode: 'SANCTIONS_MATCH', proposedBy: 'alice@example.com' },
    })
    const listed = JSON.parse((await runCli(['review', 'list', '--json'], env)).stdout)
    expect(listed).toMatchObject([{ sessionId, awaitingConfirmation: true }])

    const own = await runCli(['review', 'confirm', sessionId, '--reviewer', 'ALICE@example.com'], env)
    expect(own.code).not.toBe(0)
    expect(own.stderr).toContain('another reviewer must confirm it')

    const confirmed = await runCli(['review', 'confirm', sessionId, '--reviewer', 'bob@example.com'], env)
    expect(confirmed.code, confirmed.stderr).toBe(0)
    expect(JSON.parse(confirmed.stdout)).toMatchObject({
      outcome: 'rejected',
      pendingDecision: null,
      reviews: [
        { reviewer: 'alice@example.com', confirmedBy: 'bob@example.com', reasonCode: 'SANCTIONS_MATCH' },
      ],
    })
    const again = await runCli(['review', 'confirm', sessionId, '--reviewer', 'carol@example.com'], env)
    expect(again.code).not.toBe(0)
    expect(again.stderr).toContain('no decision waits for confirmation')
    const withdrawn = await runCli(['review', 'withdraw', sessionId, '--reviewer', 'alice@example.com'], env)
    expect(withdrawn.code).not.toBe(0)
    expect(withdrawn.stderr).toContain('no decision waits for confirmation')
  })
})
