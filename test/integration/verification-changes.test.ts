import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { submitSession, type VerificationChange } from '../../src/modules/verification/index.ts'
import { api } from '../helpers/accounts.ts'
import { buildTestApp, type TestApp } from '../helpers/app.ts'
import { registerSandboxUser, type TestUser } from '../helpers/capture.ts'
import { DIALECTS } from '../helpers/dialects.ts'
import { openLink } from '../helpers/sessions.ts'

/**
 * The state writer publishes; features subscribe in the composition root and run inside the change's
 * transaction (issue #11). Webhooks and checks are two such subscribers; here a test subscriber watches.
 */
describe.each(DIALECTS)('verification changes reach subscribers in their transaction (%s)', (dialect) => {
  let t: TestApp
  let clientKey: string
  const seen = new Map<string, string[]>()
  const failFor = new Set<string>()

  beforeAll(async () => {
    t = await buildTestApp(dialect)
    clientKey = (await t.createClient({ name: 'changes', mode: 'sandbox' })).client.clientKey
    t.runtime.verificationChanges.subscribe(async (trx, change: VerificationChange) => {
      if (change.kind === 'upload-stored') return
      const userId = change.user.id
      // What the subscriber reads through the transaction is the change itself, not committed yet.
      const session =
        change.kind === 'session-submitted'
          ? await trx
              .selectFrom('verification_session')
              .select('status')
              .where('id', '=', change.session.id)
              .executeTakeFirstOrThrow()
          : undefined
      seen.set(userId, [
        ...(seen.get(userId) ?? []),
        change.kind === 'state-changed'
          ? `${change.kind}:${change.from}>${change.to}`
          : `${change.kind}:${session?.status}`,
      ])
      if (failFor.has(userId)) throw new Error('subscriber refused')
    })
  })
  afterAll(() => t.close())

  const openedSession = async (user: TestUser): Promise<string> => {
    const response = await api(t.app, clientKey).get('/v1/user/verification', {
      authorization: `Bearer ${user.token}`,
    })
    const { sessionUrl, sessionId } = response.json() as { sessionUrl: string; sessionId: string }
    expect((await openLink(t.app, sessionUrl)).statusCode).toBe(303)
    return sessionId
  }

  const checkJobsOf = (user: TestUser, sessionId: string) =>
    user.database.db
      .selectFrom('job')
      .select('id')
      .where('type', '=', 'verification.check')
      .where('payload', 'like', `%${sessionId}%`)
      .execute()

  const webhookEventsOf = (user: TestUser) =>
    t.runtime.databases.home.db
      .selectFrom('webhook_event')
      .select('id')
      .where('user_id', '=', user.id)
      .execute()

  it('publishes the state change, then the submission, each seen inside the transaction', async () => {
    const user = await registerSandboxUser(t, clientKey, { lastName: 'Pending' })
    const sessionId = await openedSession(user)
    await submitSession(t.runtime, user.database, sessionId, true)
    expect(seen.get(user.id)).toEqual(['state-changed:UNVERIFIED>PENDING', 'session-submitted:submitted'])
    expect(await checkJobsOf(user, sessionId), 'the checks subscriber enqueued its job').toHaveLength(1)
    expect(await webhookEventsOf(user), 'the webhooks subscriber wrote its event').toHaveLength(1)
  })

  it('undoes the whole submission when a subscriber throws: no state, no webhook event, no check job', async () => {
    const user = await registerSandboxUser(t, clientKey, { lastName: 'Pending' })
    const sessionId = await openedSession(user)
    failFor.add(user.id)
    await expect(submitSession(t.runtime, user.database, sessionId, true)).rejects.toThrow(
      'subscriber refused',
    )
    const db = user.database.db
    const session = await db
      .selectFrom('verification_session')
      .select('status')
      .where('id', '=', sessionId)
      .executeTakeFirstOrThrow()
    const stored = await db
      .selectFrom('app_user')
      .select(['verification_state', 'state_version'])
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow()
    const events = await webhookEventsOf(user)
    const checkJobs = await checkJobsOf(user, sessionId)
    expect(session.status, 'session').toBe('opened')
    expect(stored, 'user').toEqual({ verification_state: 'UNVERIFIED', state_version: 0 })
    expect(events, 'webhook events').toEqual([])
    expect(checkJobs, 'check jobs').toEqual([])
  })
})
