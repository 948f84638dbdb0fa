import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Region } from '../../src/db/database.ts'
import { listAuditEntries, verifyAuditChain } from '../../src/modules/audit/index.ts'
import { setUserSuspended } from '../../src/modules/operator/index.ts'
import { decideCase } from '../../src/modules/review/index.ts'
import { submitSession } from '../../src/modules/verification/index.ts'
import { api } from '../helpers/accounts.ts'
import { buildTestApp, TEST_ACTOR, type TestApp } from '../helpers/app.ts'
import { registerSandboxUser } from '../helpers/capture.ts'
import { DIALECTS } from '../helpers/dialects.ts'
import { checksSendToReview } from '../helpers/review.ts'
import { openLink } from '../helpers/sessions.ts'

/**
 * The operator actions that change something leave their audit entry in the same transaction, in the
 * database the change is made in; a refused or failed action leaves none.
 */
describe.each(DIALECTS)('audited operator actions (%s)', (dialect) => {
  let t: TestApp
  let clientKey: string

  beforeAll(async () => {
    t = await buildTestApp(dialect)
    clientKey = (await t.createClient({ name: 'audited', regions: ['intl', 'us'] })).client.clientKey
  })
  afterAll(() => t.close())

  const db = (region: Region) => t.runtime.databases.byRegion[region]
  const entries = (region: Region, filter: { subjectId?: string } = {}) =>
    listAuditEntries(db(region).db, { limit: 100, ...filter })

  const submitted = async (region: Region) => {
    const user = await registerSandboxUser(t, clientKey, { firstName: 'Jane', lastName: 'Doe', region })
    const started = await api(t.app, clientKey, region).get('/v1/user/verification', {
      authorization: `Bearer ${user.token}`,
    })
    const { sessionUrl, sessionId } = started.json() as { sessionUrl: string; sessionId: string }
    expect((await openLink(t.app, sessionUrl)).statusCode).toBe(303)
    await submitSession(t.runtime, user.database, sessionId, false)
    await checksSendToReview(t.runtime, user.database, sessionId)
    return { user, sessionId }
  }

  it('records a decision in the chain of the region that holds the case, once', async () => {
    const intlBefore = (await entries('intl')).length
    const { user, sessionId } = await submitted('us')
    await decideCase(
      t.runtime,
      sessionId,
      { action: 'reject', reasonCode: 'FACE_MISMATCH', reviewer: 'alice@example.com', note: 'Jane Doe' },
      'staff:stf_alice',
    )
    expect(await entries('us', { subjectId: sessionId })).toMatchObject([
      {
        actor: 'staff:stf_alice',
        action: 'case.decide',
        details: { userId: user.id, decision: 'reject', reasonCode: 'FACE_MISMATCH' },
      },
    ])
    expect((await entries('intl')).length).toBe(intlBefore)
    // Decided already: refused, and nothing more is recorded.
    await expect(
      decideCase(t.runtime, sessionId, { action: 'approve', reviewer: 'bob@example.com' }, 'staff:stf_bob'),
    ).rejects.toMatchObject({ code: 'CONFLICT' })
    expect(await entries('us', { subjectId: sessionId })).toHaveLength(1)
    expect(await verifyAuditChain(db('us'), t.runtime.keys)).toMatchObject({ ok: true })
  })

  it('undoes the decision when its audit entry cannot be written', async () => {
    const { user, sessionId } = await submitted('intl')
    await expect(
      decideCase(
        t.runtime,
        sessionId,
        { action: 'approve', reviewer: 'alice@example.com' },
        'nobody' as never,
      ),
    ).rejects.toThrow(/audit actor/)
    const session = await db('intl')
      .db.selectFrom('verification_session')
      .select(['outcome'])
      .where('id', '=', sessionId)
      .executeTakeFirstOrThrow()
    expect(session.outcome).toBe('review')
    const reviews = await db('intl')
      .db.selectFrom('review_decision')
      .selectAll()
      .where('session_id', '=', sessionId)
      .execute()
    expect(reviews).toEqual([])
    const state = await db('intl')
      .db.selectFrom('app_user')
      .select('verification_state')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow()
    expect(state.verification_state).toBe('PENDING')
    expect(await entries('intl', { subjectId: sessionId })).toEqual([])
  })

  it('records a suspension in the user’s region, with the client it belongs to', async () => {
    const user = await registerSandboxUser(t, clientKey, { region: 'us' })
    await setUserSuspended(t.runtime, user.id, true, TEST_ACTOR)
    await setUserSuspended(t.runtime, user.id, false, TEST_ACTOR)
    const recorded = await entries('us', { subjectId: user.id })
    expect(recorded.map((entry) => [entry.action, entry.actor])).toEqual([
      ['user.unsuspend', TEST_ACTOR],
      ['user.suspend', TEST_ACTOR],
    ])
    expect(recorded[0]?.details).toEqual({ clientId: expect.stringMatching(/^cli_/) })
  })

  it('names the client itself for a settings change through PATCH /v1/client, and nothing for a refused one', async () => {
    const { client, secretKey } = await t.createClient({ name: 'self-service' })
    const patch = (payload: object) =>
      t.app.inject({
        method: 'PATCH',
        url: '/v1/client',
        headers: { 'x-client-key': client.clientKey, 'x-secret-key': secretKey },
        payload,
      })
    expect((await patch({ redirectUris: ['https://shop.example.com/cb'], returnUrl: null })).statusCode).toBe(
      200,
    )
    expect((await patch({ redirectUris: ['http://insecure.example.com/cb'] })).statusCode).toBe(422)
    expect(
      (await entries('intl', { subjectId: client.id })).map((entry) => [
        entry.action,
        entry.actor,
        entry.details,
      ]),
    ).toEqual([
      // What changed: the return URL was already unset.
      [
        'client.update',
        `client:${client.id}`,
        { fields: ['redirectUris'], redirectUrisAdded: ['https://shop.example.com/cb'] },
      ],
      ['client.create', TEST_ACTOR, { mode: 'sandbox', publicOAuth: false, regions: ['intl'] }],
    ])
  })
})
