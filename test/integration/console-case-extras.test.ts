import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seal } from '../../src/lib/crypto.ts'
import { reason, submitSession } from '../../src/modules/verification/index.ts'
import { api } from '../helpers/accounts.ts'
import { buildTestApp, type TestApp } from '../helpers/app.ts'
import { registerSandboxUser, type TestUser } from '../helpers/capture.ts'
import { type ConsoleStaff, signedInStaff } from '../helpers/console-staff.ts'
import { DIALECTS } from '../helpers/dialects.ts'
import { checksSendToReview } from '../helpers/review.ts'
import { openLink } from '../helpers/sessions.ts'

/** The console's case page and user page beyond the basics (issue #13 items 3 and 6), over HTTP. */
describe.each(DIALECTS)('console case and user pages (%s)', (dialect) => {
  let t: TestApp
  let clientKey: string
  let otherClientKey: string
  let reviewer: ConsoleStaff

  beforeAll(async () => {
    t = await buildTestApp(dialect)
    clientKey = (await t.createClient({ name: 'extras', mode: 'sandbox', regions: ['intl'] })).client
      .clientKey
    otherClientKey = (await t.createClient({ name: 'elsewhere', mode: 'sandbox', regions: ['intl'] })).client
      .clientKey
    reviewer = await signedInStaff(t, 'reviewer')
  })
  afterAll(() => t.close())

  /** A user with a started verification session (link opened), not yet submitted. */
  const started = async (key: string, names: { firstName: string; lastName: string }) => {
    const user = await registerSandboxUser(t, key, names)
    const response = await api(t.app, key).get('/v1/user/verification', {
      authorization: `Bearer ${user.token}`,
    })
    const { sessionUrl, sessionId } = response.json() as { sessionUrl: string; sessionId: string }
    expect((await openLink(t.app, sessionUrl)).statusCode).toBe(303)
    return { user, sessionId }
  }

  /** Stores a check's result as the check job does (evidence sealed to its session and check). */
  const storeResult = async (
    user: TestUser,
    sessionId: string,
    result: { check: string; outcome: string; reason?: string; evidence: unknown },
  ) => {
    await user.database.db
      .insertInto('check_result')
      .values({
        session_id: sessionId,
        check_id: result.check,
        check_version: '1',
        outcome: result.outcome as 'pass',
        reason_code: result.reason ?? null,
        score: null,
        evidence_sealed: seal(
          t.runtime.keys.checkEvidence,
          JSON.stringify(result.evidence),
          `${sessionId}:${result.check}`,
        ),
        created_at: t.clock.now(),
      })
      .execute()
  }

  it("links the duplicate check's other users of the same client, and never one of another client", async () => {
    const holder = await started(clientKey, { firstName: 'Jane', lastName: 'First' })
    const stranger = await started(otherClientKey, { firstName: 'Jane', lastName: 'Elsewhere' })
    const { user, sessionId } = await started(clientKey, { firstName: 'Jane', lastName: 'Second' })
    await submitSession(t.runtime, user.database, sessionId, false)
    await checksSendToReview(t.runtime, user.database, sessionId, [reason('DUPLICATE_IDENTITY')])
    // The check's evidence as it records it; the stranger's row stands for evidence that names a user
    // of another client (which the check itself never finds), to show the page does not link it.
    await storeResult(user, sessionId, {
      check: 'duplicate-identity',
      outcome: 'inconclusive',
      reason: 'DUPLICATE_IDENTITY',
      evidence: {
        compared: ['document'],
        holders: [
          {
            kind: 'document',
            userId: holder.user.id,
            sessionId: holder.sessionId,
            verificationState: 'VERIFIED',
            sessionOutcome: 'approved',
          },
          {
            kind: 'document',
            userId: stranger.user.id,
            sessionId: stranger.sessionId,
            verificationState: 'VERIFIED',
            sessionOutcome: 'approved',
          },
        ],
      },
    })

    const page = await reviewer.get(`/console/cases/${sessionId}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('<h2 id="duplicates">Duplicates</h2>')
    expect(page.body).toContain(`<a href="/console/users/${holder.user.id}">${holder.user.id}</a>`)
    expect(page.body).toContain(`<a href="/console/cases/${holder.sessionId}">`)
    expect(page.body).not.toContain(stranger.user.id)
    expect(page.body).not.toContain(stranger.sessionId)
    // The link opens the other user's page.
    expect((await reviewer.get(`/console/users/${holder.user.id}`)).statusCode).toBe(200)
  })

  it('says so when the duplicate check found no other holder, and says nothing when it did not run', async () => {
    const { user, sessionId } = await started(clientKey, { firstName: 'Jane', lastName: 'Alone' })
    await submitSession(t.runtime, user.database, sessionId, false)
    await checksSendToReview(t.runtime, user.database, sessionId)
    expect((await reviewer.get(`/console/cases/${sessionId}`)).body).not.toContain('id="duplicates"')
    await storeResult(user, sessionId, {
      check: 'duplicate-identity',
      outcome: 'pass',
      evidence: { compared: ['document'] },
    })
    expect((await reviewer.get(`/console/cases/${sessionId}`)).body).toContain(
      'No other user of this client holds this document or SSN.',
    )
  })
})
