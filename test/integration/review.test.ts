import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decideCase, listCases, showCase } from '../../src/modules/review/index.ts'
import { submitSession } from '../../src/modules/verification/index.ts'
import { api } from '../helpers/accounts.ts'
import { buildTestApp, TEST_ACTOR, type TestApp } from '../helpers/app.ts'
import { registerSandboxUser, type TestUser } from '../helpers/capture.ts'
import { eventually } from '../helpers/databases.ts'
import { DIALECTS } from '../helpers/dialects.ts'
import { checksSendToReview } from '../helpers/review.ts'
import { openLink } from '../helpers/sessions.ts'

/** `verity review` (issue #12 item 5): cases waiting for a person, decided through the decision seam. */
describe.each(DIALECTS)('manual review (%s)', (dialect) => {
  // No worker: the submissions stay undecided, as they do while live checks cannot conclude.
  let t: TestApp
  let clientKey: string

  beforeAll(async () => {
    t = await buildTestApp(dialect)
    clientKey = (await t.createClient({ name: 'review', mode: 'sandbox', regions: ['intl', 'us'] })).client
      .clientKey
  })
  afterAll(() => t.close())

  /** A submitted session of a new user, taken down the live path (no magic name decides it). */
  const submitted = async (region: 'intl' | 'us' = 'intl', checked = true) => {
    const user = await registerSandboxUser(t, clientKey, { firstName: 'Jane', lastName: 'Doe', region })
    const started = await api(t.app, clientKey, region).get('/v1/user/verification', {
      authorization: `Bearer ${user.token}`,
    })
    const { sessionUrl, sessionId } = started.json() as { sessionUrl: string; sessionId: string }
    expect((await openLink(t.app, sessionUrl)).statusCode).toBe(303)
    await submitSession(t.runtime, user.database, sessionId, false)
    if (checked) await checksSendToReview(t.runtime, user.database, sessionId)
    return { user, sessionId }
  }
  const stateOf = (user: TestUser) =>
    user.database.db
      .selectFrom('app_user')
      .select(['verification_state', 'state_version'])
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow()
  const reviewRows = (user: TestUser, sessionId: string) =>
    user.database.db.selectFrom('review_decision').selectAll().where('session_id', '=', sessionId).execute()

  it('lists the cases waiting for a person across regions, oldest first', async () => {
    const first = await submitted('intl')
    t.clock.advance(1000)
    const second = await submitted('us')
    const ids = (await listCases(t.runtime)).map((each) => each.sessionId)
    expect(ids.indexOf(first.sessionId), 'intl case listed').toBeGreaterThanOrEqual(0)
    expect(ids.indexOf(second.sessionId), 'us case listed after it').toBeGreaterThan(
      ids.indexOf(first.sessionId),
    )
  })

  it('approves: the user is VERIFIED, the reviewer and note are recorded, the case leaves the queue', async () => {
    const { user, sessionId } = await submitted()
    const shown = await decideCase(
      t.runtime,
      sessionId,
      {
        action: 'approve',
        reviewer: 'Alice@Example.com',
        note: 'document and selfie match',
      },
      TEST_ACTOR,
    )
    expect(await stateOf(user)).toEqual({ verification_state: 'VERIFIED', state_version: 2 })
    expect(shown.outcome).toBe('approved')
    expect(shown.reviews).toMatchObject([
      {
        reviewer: 'alice@example.com',
        action: 'approve',
        reasonCode: null,
        note: 'document and selfie match',
      },
    ])
    expect((await listCases(t.runtime)).map((each) => each.sessionId)).not.toContain(sessionId)
    const history = (await showCase(t.runtime, sessionId)).user.stateHistory.map((step) => step.cause)
    expect(history).toEqual(['submitted', 'decided:VERIFIED'])
  })

  it('rejects with a reason and asks for new photos with a retryable one', async () => {
    const rejected = await submitted()
    await decideCase(
      t.runtime,
      rejected.sessionId,
      {
        action: 'reject',
        reasonCode: 'face_mismatch',
        reviewer: 'alice@example.com',
      },
      TEST_ACTOR,
    )
    expect(await stateOf(rejected.user), 'rejected').toMatchObject({ verification_state: 'REJECTED' })
    expect((await reviewRows(rejected.user, rejected.sessionId))[0]?.reason_code, 'rejected').toBe(
      'FACE_MISMATCH',
    )

    const resubmit = await submitted()
    await decideCase(
      t.runtime,
      resubmit.sessionId,
      {
        action: 'resubmit',
        reasonCode: 'POOR_IMAGE_QUALITY',
        reviewer: 'alice@example.com',
      },
      TEST_ACTOR,
    )
    expect(await stateOf(resubmit.user), 'resubmit').toMatchObject({ verification_state: 'UNVERIFIED' })
  })

  it.each([
    ['a rejection without a reason', { action: 'reject' }, /--reason is required/],
    ['an unknown reason', { action: 'reject', reasonCode: 'LOOKS_ODD' }, /Unknown reason LOOKS_ODD/],
    [
      'new photos for a reason no photo fixes',
      { action: 'resubmit', reasonCode: 'KNOWN_FRAUD' },
      /not a reason/,
    ],
    ['an approval with a reason', { action: 'approve', reasonCode: 'FACE_MISMATCH' }, /takes no --reason/],
    ['a reviewer that is no email address', { action: 'approve', reviewer: 'alice' }, /must be an email/],
    ['a note over 2000 characters', { action: 'approve', note: 'x'.repeat(2001) }, /longer than 2000/],
  ] as const)('refuses %s, deciding and recording nothing', async (_case, input, message) => {
    const { user, sessionId } = await submitted()
    await expect(
      decideCase(t.runtime, sessionId, { reviewer: 'alice@example.com', ...input }, TEST_ACTOR),
    ).rejects.toThrow(message)
    expect(await stateOf(user)).toEqual({ verification_state: 'PENDING', state_version: 1 })
    expect(await reviewRows(user, sessionId)).toEqual([])
  })

  it("refuses to approve a case the checks have not concluded on (409); a rejection is a person's call", async () => {
    const { user, sessionId } = await submitted('intl', false)
    await expect(
      decideCase(t.runtime, sessionId, { action: 'approve', reviewer: 'alice@example.com' }, TEST_ACTOR),
    ).rejects.toMatchObject({ code: 'CHECKS_PENDING', message: expect.stringContaining('have not finished') })
    expect(await stateOf(user)).toEqual({ verification_state: 'PENDING', state_version: 1 })
    expect(await reviewRows(user, sessionId)).toEqual([])
    const rejected = await decideCase(
      t.runtime,
      sessionId,
      { action: 'reject', reasonCode: 'DOCUMENT_EXPIRED', reviewer: 'alice@example.com' },
      TEST_ACTOR,
    )
    expect(rejected.outcome).toBe('rejected')
  })

  it('refuses a case already decided (409), recording nothing more', async () => {
    const { user, sessionId } = await submitted()
    await decideCase(t.runtime, sessionId, { action: 'approve', reviewer: 'alice@example.com' }, TEST_ACTOR)
    await expect(
      decideCase(
        t.runtime,
        sessionId,
        {
          action: 'reject',
          reasonCode: 'FACE_MISMATCH',
          reviewer: 'bob@example.com',
        },
        TEST_ACTOR,
      ),
    ).rejects.toMatchObject({ code: 'CONFLICT', status: 409 })
    expect(await stateOf(user)).toMatchObject({ verification_state: 'VERIFIED' })
    expect((await reviewRows(user, sessionId)).map((row) => row.reviewer)).toEqual(['alice@example.com'])
  })

  it('lets exactly one of two reviewers deciding at once through, with one record', async () => {
    const { user, sessionId } = await submitted()
    const results = await Promise.allSettled([
      decideCase(t.runtime, sessionId, { action: 'approve', reviewer: 'alice@example.com' }, TEST_ACTOR),
      decideCase(
        t.runtime,
        sessionId,
        {
          action: 'reject',
          reasonCode: 'FACE_MISMATCH',
          reviewer: 'bob@example.com',
        },
        TEST_ACTOR,
      ),
    ])
    expect(
      results.filter((result) => result.status === 'fulfilled'),
      'decisions taken',
    ).toHaveLength(1)
    expect(await reviewRows(user, sessionId), 'review records').toHaveLength(1)
  })

  it("shows the checks' stored results with their evidence, sealed at rest", async () => {
    const worked = await buildTestApp(dialect, { worker: true })
    try {
      const key = (await worked.createClient({ name: 'checked', mode: 'sandbox' })).client.clientKey
      const user = await registerSandboxUser(worked, key, { firstName: 'Test', lastName: 'Pending' })
      const started = await api(worked.app, key).get('/v1/user/verification', {
        authorization: `Bearer ${user.token}`,
      })
      const { sessionUrl, sessionId } = started.json() as { sessionUrl: string; sessionId: string }
      expect((await openLink(worked.app, sessionUrl)).statusCode).toBe(303)
      await submitSession(worked.runtime, user.database, sessionId, true)
      const shown = await eventually(async () => {
        const each = await showCase(worked.runtime, sessionId)
        expect(each.outcome).toBe('review')
        return each
      })
      expect(shown.checks).toMatchObject([
        { check: 'account-standing', version: '1', outcome: 'pass', reason: null, evidence: null },
        {
          check: 'sandbox-scenario',
          version: '1',
          outcome: 'inconclusive',
          evidence: { firstName: 'Test', lastName: 'Pending' },
        },
      ])
      const stored = await user.database.db
        .selectFrom('check_result')
        .select('evidence_sealed')
        .where('session_id', '=', sessionId)
        .execute()
      expect(JSON.stringify(stored)).not.toContain('Pending')
    } finally {
      await worked.close()
    }
  })

  it('answers 404 for an unknown session', async () => {
    await expect(showCase(t.runtime, 'ses_01JNOSUCHSESSION0000000000')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    })
  })
})
