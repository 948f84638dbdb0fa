import { userInfo } from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AuditEntry, listAuditEntries } from '../../src/modules/audit/index.ts'
import { submitSession } from '../../src/modules/verification/index.ts'
import { api } from '../helpers/accounts.ts'
import { buildTestApp, type TestApp } from '../helpers/app.ts'
import { withTriggersOff } from '../helpers/audit.ts'
import { registerSandboxUser } from '../helpers/capture.ts'
import { runCli } from '../helpers/cli.ts'
import { DIALECTS } from '../helpers/dialects.ts'
import { checksSendToReview } from '../helpers/review.ts'
import { openLink } from '../helpers/sessions.ts'

type Listed = AuditEntry & { region: string }

/**
 * `verity audit` as an operator uses it (issue #13, "Must show"): the CLI's own actions leave their
 * entries with who did them, `verify` passes, and fails naming the entry once a row is altered in the
 * database behind the server's back.
 */
describe.each(DIALECTS)('verity audit, as an operator uses it (%s)', (dialect) => {
  let t: TestApp
  let env: Record<string, string>
  const osUser = `cli:${userInfo().username}`

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

  const cli = async (...args: string[]) => {
    const result = await runCli(args, env)
    expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0)
    return result.stdout
  }
  const listed = async (...filters: string[]): Promise<Listed[]> =>
    JSON.parse(await cli('audit', 'list', '--json', ...filters))

  const waitingCase = async () => {
    const { clientKey } = (await t.createClient({ name: 'reviewed' })).client
    const user = await registerSandboxUser(t, clientKey, { firstName: 'Jane', lastName: 'Doe' })
    const started = await api(t.app, clientKey).get('/v1/user/verification', {
      authorization: `Bearer ${user.token}`,
    })
    const { sessionUrl, sessionId } = started.json() as { sessionUrl: string; sessionId: string }
    expect((await openLink(t.app, sessionUrl)).statusCode).toBe(303)
    await submitSession(t.runtime, user.database, sessionId, false)
    await checksSendToReview(t.runtime, user.database, sessionId)
    return { userId: user.id, sessionId }
  }

  it('records the client, user and review commands with their actor, and lists them', async () => {
    const client = JSON.parse(await cli('client', 'create', '--name', 'audited', '--sandbox', '--json'))
    await cli('client', 'rotate-secret', client.clientId)
    await cli('client', 'policy', client.clientId, '--minimum-age', '21')
    await cli('client', 'disable', client.clientId)
    const { userId, sessionId } = await waitingCase()
    await cli(
      'review',
      'decide',
      sessionId,
      'approve',
      '--reviewer',
      'Alice@Example.com',
      '--note',
      'Jane Doe ok',
    )
    await cli('user', 'suspend', userId)
    await cli('user', 'unsuspend', userId)

    const all = await listed()
    expect(all.map((entry) => [entry.action, entry.actor, entry.subject?.id])).toEqual([
      ['user.unsuspend', osUser, userId],
      ['user.suspend', osUser, userId],
      ['case.decide', 'cli:alice@example.com', sessionId],
      // The in-process test's client, made by the test itself.
      ['client.create', 'cli:test', expect.stringMatching(/^cli_/)],
      ['client.disable', osUser, client.clientId],
      ['client.update', osUser, client.clientId],
      ['client.rotate_secret', osUser, client.clientId],
      ['client.create', osUser, client.clientId],
    ])
    expect(all.every((entry) => entry.region === 'intl')).toBe(true)
    const [decision] = await listed('--subject', sessionId)
    expect(decision).toMatchObject({
      action: 'case.decide',
      subject: { type: 'session', id: sessionId },
      details: { decision: 'approve', reasonCode: null, userId, reviewId: expect.stringMatching(/^rvd_/) },
    })
    // The note is the review record's; free text never reaches the audit log.
    expect(JSON.stringify(all)).not.toContain('Jane Doe')
    expect((await listed('--actor', 'cli:alice@example.com')).map((entry) => entry.action)).toEqual([
      'case.decide',
    ])
    expect((await listed('--action', 'client.update', '--limit', '5'))[0]?.details).toEqual({
      fields: ['minimumAge'],
    })
    const text = await cli('audit', 'list', '--action', 'user.suspend')
    expect(text).toMatch(
      new RegExp(`intl #\\d+  ${osUser}  user\\.suspend  user ${userId}  \\{"clientId":"cli_`),
    )
    // Ten CLI processes one after another: near the default timeout on a loaded 2-core machine.
  }, 120_000)

  it('verifies every chain, then names the entry altered in the database', async () => {
    const verified = await runCli(['audit', 'verify'], env)
    expect(verified.stderr).toBe('')
    expect(verified.code).toBe(0)
    expect(verified.stdout).toMatch(
      /^intl: 8 entries verified; tip #8 [0-9a-f]{64}\nus: 0 entries verified\n$/,
    )

    const home = t.runtime.databases.home
    const [decision] = await listAuditEntries(home.db, { action: 'case.decide', limit: 1 })
    await withTriggersOff(home, (db) =>
      db
        .updateTable('audit_log')
        .set({ details: JSON.stringify({ ...decision?.details, decision: 'reject' }) })
        .where('sequence', '=', decision?.sequence as number)
        .execute(),
    )
    const broken = await runCli(['audit', 'verify'], env)
    expect(broken.code).toBe(1)
    expect(broken.stderr).toBe(
      `intl: audit chain broken at entry #${decision?.sequence} (case.decide): its content was altered (the hash does not match); the ${(decision?.sequence as number) - 1} entries before it verified\n`,
    )
    expect(broken.stdout).toBe('us: 0 entries verified\n')
    const json = JSON.parse((await runCli(['audit', 'verify', '--json'], env)).stdout)
    expect(json[0]).toMatchObject({
      region: 'intl',
      ok: false,
      brokenAt: decision?.sequence,
      reason: 'hash_mismatch',
    })
  })
})
