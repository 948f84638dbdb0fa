import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listAuditEntries, verifyAuditChain } from '../../src/modules/audit/index.ts'
import {
  confirmDecision,
  decideCase,
  listCases,
  showCase,
  withdrawDecision,
} from '../../src/modules/review/index.ts'
import { buildTestApp, type TestApp } from '../helpers/app.ts'
import type { TestUser } from '../helpers/capture.ts'
import { DIALECTS } from '../helpers/dialects.ts'
import { caseInReview } from '../helpers/review.ts'

/** Four-eyes decisions (issue #13 item 4): proposed by one reviewer, applied on another's confirmation. */
describe.each(DIALECTS)('four-eyes decisions (%s)', (dialect) => {
  let t: TestApp
  let clientKey: string

  beforeAll(async () => {
    t = await buildTestApp(dialect)
    clientKey = (await t.createClient({ name: 'four-eyes', mode: 'sandbox', regions: ['intl'] })).client
      .clientKey
  })
  afterAll(() => t.close())

  const submitted = (findings: Parameters<typeof caseInReview>[2] = []) =>
    caseInReview(t, clientKey, findings)
  const stateOf = async (user: TestUser) =>
    (
      await user.database.db
        .selectFrom('app_user')
        .select('verification_state')
        .where('id', '=', user.id)
        .executeTakeFirstOrThrow()
    ).verification_state
  const actionsOn = async (user: TestUser, sessionId: string) =>
    (await listAuditEntries(user.database.db, { subjectId: sessionId, limit: 50 }))
      .map((entry) => [entry.action, entry.actor, entry.details.pending ?? false])
      .reverse()
  const alice = { reviewer: 'alice@example.com' }
  const rejectAsListed = { action: 'reject', reasonCode: 'SANCTIONS_MATCH', ...alice } as const

  it('holds a sanctions rejection until another reviewer confirms it, then applies it once', async () => {
    const { user, sessionId } = await submitted()
    const proposed = await decideCase(
      t.runtime,
      sessionId,
      { ...rejectAsListed, note: 'same person as the listed entry' },
      'staff:stf_alice',
    )
    expect(proposed.outcome).toBe('review')
    expect(proposed.reviews).toEqual([])
    expect(proposed.pendingDecision).toMatchObject({
      action: 'reject',
      reasonCode: 'SANCTIONS_MATCH',
      proposedBy: 'alice@example.com',
      note: 'same person as the listed entry',
    })
    expect(await stateOf(user)).toBe('PENDING')
    const queued = (await listCases(t.runtime)).find((each) => each.sessionId === sessionId)
    expect(queued?.awaitingConfirmation).toBe(true)
    const pendingId = proposed.pendingDecision?.id as string

    // The proposer, under either name, is not a second person.
    await expect(
      confirmDecision(t.runtime, sessionId, pendingId, 'Alice@Example.com', 'staff:stf_other'),
    ).rejects.toMatchObject({ code: 'FOUR_EYES_SAME_PERSON', status: 403 })
    await expect(
      confirmDecision(t.runtime, sessionId, pendingId, 'carol@example.com', 'staff:stf_alice'),
    ).rejects.toMatchObject({ code: 'FOUR_EYES_SAME_PERSON' })
    expect(await stateOf(user)).toBe('PENDING')

    // Two confirmations at once: one decides, the other is refused; one review record.
    const both = await Promise.allSettled([
      confirmDecision(t.runtime, sessionId, pendingId, 'bob@example.com', 'staff:stf_bob'),
      confirmDecision(t.runtime, sessionId, pendingId, 'carol@example.com', 'staff:stf_carol'),
    ])
    expect(both.filter((each) => each.status === 'fulfilled')).toHaveLength(1)
    expect(both.find((each) => each.status === 'rejected')).toMatchObject({
      // Refused either because the proposal is resolved or the case decided, by whichever it saw first.
      reason: { code: expect.stringMatching(/^(PROPOSAL_RESOLVED|CONFLICT)$/), status: 409 },
    })
    expect(await stateOf(user)).toBe('REJECTED')
    const shown = await showCase(t.runtime, sessionId)
    expect(shown.outcome).toBe('rejected')
    expect(shown.pendingDecision).toBeNull()
    expect(shown.reviews).toMatchObject([
      { reviewer: 'alice@example.com', action: 'reject', reasonCode: 'SANCTIONS_MATCH' },
    ])
    expect(['bob@example.com', 'carol@example.com']).toContain(shown.reviews[0]?.confirmedBy)
    const entries = await actionsOn(user, sessionId)
    expect(entries.filter(([action]) => action !== 'case.confirm')).toEqual([
      ['case.decide', 'staff:stf_alice', true],
    ])
    expect(entries.filter(([action]) => action === 'case.confirm')).toHaveLength(1)
    // Confirmed already: refused again, nothing more written.
    await expect(
      confirmDecision(t.runtime, sessionId, pendingId, 'dave@example.com', 'staff:stf_dave'),
    ).rejects.toMatchObject({ code: 'PROPOSAL_RESOLVED', status: 409 })
    expect(await actionsOn(user, sessionId)).toHaveLength(2)
    expect(await verifyAuditChain(user.database, t.runtime.keys)).toMatchObject({ ok: true })
  })

  it('holds an approval of a case with a possible match or a duplicate; decides others at once', async () => {
    for (const finding of ['SANCTIONS_POSSIBLE_MATCH', 'DUPLICATE_IDENTITY'] as const) {
      const { user, sessionId } = await submitted([finding])
      const proposed = await decideCase(
        t.runtime,
        sessionId,
        { action: 'approve', ...alice },
        'staff:stf_alice',
      )
      expect(proposed.pendingDecision, finding).toMatchObject({ action: 'approve', reasonCode: null })
      expect(await stateOf(user)).toBe('PENDING')
      await confirmDecision(
        t.runtime,
        sessionId,
        proposed.pendingDecision?.id as string,
        'bob@example.com',
        'cli:bob@example.com',
      )
      expect(await stateOf(user)).toBe('VERIFIED')
    }
    // Rejecting a possible match for another reason, and approving a clean case: one person's call.
    const flagged = await submitted(['SANCTIONS_POSSIBLE_MATCH'])
    const rejected = await decideCase(
      t.runtime,
      flagged.sessionId,
      { action: 'reject', reasonCode: 'FACE_MISMATCH', ...alice },
      'staff:stf_alice',
    )
    expect(rejected).toMatchObject({ outcome: 'rejected', pendingDecision: null })
    const clean = await submitted()
    await decideCase(t.runtime, clean.sessionId, { action: 'approve', ...alice }, 'staff:stf_alice')
    expect(await stateOf(clean.user)).toBe('VERIFIED')
  })

  it('refuses to confirm a case decided meanwhile (409, nothing overwritten) and a superseded proposal', async () => {
    const { user, sessionId } = await submitted(['DUPLICATE_IDENTITY'])
    const first = await decideCase(t.runtime, sessionId, { action: 'approve', ...alice }, 'staff:stf_alice')
    const firstId = first.pendingDecision?.id as string
    // Bob proposes otherwise: Alice's proposal is superseded, his waits.
    const second = await decideCase(
      t.runtime,
      sessionId,
      { ...rejectAsListed, reviewer: 'bob@example.com' },
      'staff:stf_bob',
    )
    expect(second.pendingDecision).toMatchObject({ proposedBy: 'bob@example.com', action: 'reject' })
    await expect(
      confirmDecision(t.runtime, sessionId, firstId, 'carol@example.com', 'staff:stf_carol'),
    ).rejects.toMatchObject({
      code: 'PROPOSAL_RESOLVED',
      message: expect.stringContaining('superseded'),
    })

    // Meanwhile someone decides the case outright (new photos are one person's call).
    await decideCase(
      t.runtime,
      sessionId,
      { action: 'resubmit', reasonCode: 'IMAGE_BLURRY', reviewer: 'dave@example.com' },
      'staff:stf_dave',
    )
    const stateAfter = await stateOf(user)
    await expect(
      confirmDecision(
        t.runtime,
        sessionId,
        second.pendingDecision?.id as string,
        'carol@example.com',
        'staff:stf_carol',
      ),
    ).rejects.toMatchObject({ code: 'PROPOSAL_RESOLVED', status: 409 })
    expect(await stateOf(user)).toBe(stateAfter)
    const shown = await showCase(t.runtime, sessionId)
    expect(shown.outcome).toBe('resubmission_required')
    expect(shown.reviews.map((review) => review.reviewer)).toEqual(['dave@example.com'])
    const resolutions = await user.database.db
      .selectFrom('pending_decision')
      .select(['proposed_by_email', 'resolution', 'resolved_by'])
      .where('session_id', '=', sessionId)
      .orderBy('created_at')
      .orderBy('id')
      .execute()
    expect(resolutions).toEqual([
      { proposed_by_email: 'alice@example.com', resolution: 'superseded', resolved_by: 'staff:stf_bob' },
      { proposed_by_email: 'bob@example.com', resolution: 'superseded', resolved_by: 'staff:stf_dave' },
    ])
  })

  it('lets only the proposer withdraw a proposal; the case then waits for any decision', async () => {
    const { user, sessionId } = await submitted()
    const proposed = await decideCase(t.runtime, sessionId, rejectAsListed, 'staff:stf_alice')
    const pendingId = proposed.pendingDecision?.id as string
    await expect(
      withdrawDecision(t.runtime, sessionId, pendingId, 'bob@example.com', 'staff:stf_bob'),
    ).rejects.toMatchObject({ code: 'NOT_AUTHORIZED', status: 403 })
    const withdrawn = await withdrawDecision(
      t.runtime,
      sessionId,
      pendingId,
      'alice@example.com',
      'staff:stf_alice',
    )
    expect(withdrawn).toMatchObject({ outcome: 'review', pendingDecision: null })
    await expect(
      withdrawDecision(t.runtime, sessionId, pendingId, 'alice@example.com', 'staff:stf_alice'),
    ).rejects.toMatchObject({ code: 'PROPOSAL_RESOLVED' })
    await expect(
      confirmDecision(t.runtime, sessionId, pendingId, 'bob@example.com', 'staff:stf_bob'),
    ).rejects.toMatchObject({
      code: 'PROPOSAL_RESOLVED',
      message: expect.stringContaining('withdrawn'),
    })
    expect(await stateOf(user)).toBe('PENDING')
    expect(await actionsOn(user, sessionId)).toEqual([
      ['case.decide', 'staff:stf_alice', true],
      ['case.withdraw', 'staff:stf_alice', false],
    ])
  })

  it('keeps at most one open proposal per session in the database itself', async () => {
    const { user, sessionId } = await submitted()
    await decideCase(t.runtime, sessionId, rejectAsListed, 'staff:stf_alice')
    await expect(
      user.database.db
        .insertInto('pending_decision')
        .values({
          id: 'pdd_second',
          session_id: sessionId,
          action: 'approve',
          reason_code: null,
          note: null,
          proposed_by: 'staff:stf_bob',
          proposed_by_email: 'bob@example.com',
          created_at: t.clock.now(),
          resolved_at: null,
          resolved_by: null,
          resolution: null,
        })
        .execute(),
    ).rejects.toThrow()
  })
})
