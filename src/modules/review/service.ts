import type { Databases, RegionDatabase } from '../../db/database.ts'
import type { PendingDecisionRow, ReviewAction, SessionRow } from '../../db/schema.ts'
import { type Clock, isoTime } from '../../lib/clock.ts'
import { AppError } from '../../lib/errors.ts'
import { newId } from '../../lib/ids.ts'
import type { Keys } from '../../lib/keys.ts'
import { normalizeEmail } from '../../lib/validators.ts'
import { type AuditActor, appendAudit } from '../audit/index.ts'
import { checkResultsFor } from '../checks/index.ts'
import { describeUser } from '../operator/index.ts'
import { listScreeningAlerts, resolveScreeningAlert } from '../sanctions/index.ts'
import {
  type Decision,
  type DecisionGuard,
  decide,
  findSession,
  listSessionsAwaitingDecision,
  lockSession,
  REASON_CATALOGUE,
  type ReasonCode,
  reason,
  summarizeSessionsAwaitingDecision,
  type VerificationChanges,
} from '../verification/index.ts'
import { needsSecondPerson } from './four-eyes.ts'
import {
  findPendingDecision,
  insertPendingDecision,
  insertReviewDecision,
  openPendingDecision,
  resolvePendingDecisions,
  reviewDecisionsOf,
  sessionsWithOpenProposal,
} from './repo.ts'

/**
 * Manual review without the console (issue #12 item 5): the cases waiting for a person, one case with
 * what it was checked against, and a decision through the one decision seam, recorded with who took it.
 */
export type ReviewDeps = {
  databases: Databases
  clock: Clock
  keys: Keys
  verificationChanges: VerificationChanges
}

/** What the checks found: the reason codes a session waits for a person with. */
const findingsOf = (session: SessionRow) =>
  (JSON.parse(session.reasons) as { code: string }[]).map((each) => each.code)

/** Submitted and undecided, or sent to a person by the checks: a reviewer may decide it. */
const awaitsDecision = (session: SessionRow) =>
  session.status === 'submitted' && (session.outcome === null || session.outcome === 'review')

const caseSummary = (region: RegionDatabase['region'], session: SessionRow, now: number) => ({
  sessionId: session.id,
  region,
  clientId: session.client_id,
  userId: session.user_id,
  submittedAt: isoTime(session.submitted_at),
  waitingSeconds: session.submitted_at === null ? 0 : Math.floor((now - session.submitted_at) / 1000),
  reasons: findingsOf(session),
})

/** Every submission waiting for a decision, oldest first, across regions. */
export const listCases = async (deps: ReviewDeps, limit = 100) => {
  const now = deps.clock.now()
  const perRegion = await Promise.all(
    deps.databases.all.map(async (database) => {
      const sessions = await listSessionsAwaitingDecision(database.db, limit)
      const proposed = await sessionsWithOpenProposal(
        database.db,
        sessions.map((session) => session.id),
      )
      return sessions.map((session) => ({
        ...caseSummary(database.region, session, now),
        awaitingConfirmation: proposed.has(session.id),
      }))
    }),
  )
  return perRegion
    .flat()
    .sort(
      (a, b) =>
        (a.submittedAt ?? '').localeCompare(b.submittedAt ?? '') || a.sessionId.localeCompare(b.sessionId),
    )
    .slice(0, limit)
}

/**
 * How many submissions wait for a decision and since when, counted in the databases (of one client, one
 * region, or all): what a page needs that shows a capped `listCases`, or none of it.
 */
export const summarizeCases = async (
  deps: Pick<ReviewDeps, 'databases'>,
  filters: { clientId?: string; region?: string } = {},
) => {
  const summaries = await Promise.all(
    deps.databases.all
      .filter((database) => filters.region === undefined || database.region === filters.region)
      .map((database) => summarizeSessionsAwaitingDecision(database.db, filters.clientId)),
  )
  const oldest = summaries.flatMap((each) =>
    each.oldestSubmittedAt === null ? [] : [each.oldestSubmittedAt],
  )
  return {
    count: summaries.reduce((sum, each) => sum + each.count, 0),
    oldestSubmittedAt: oldest.length === 0 ? null : isoTime(Math.min(...oldest)),
  }
}

const locateSession = async ({ databases }: Pick<ReviewDeps, 'databases'>, sessionId: string) => {
  for (const database of databases.all) {
    const session = await findSession(database.db, sessionId.trim())
    if (session) return { session, database }
  }
  throw new AppError('NOT_FOUND', { message: `No verification session ${sessionId}` })
}

const proposalView = (row: PendingDecisionRow) => ({
  id: row.id,
  action: row.action,
  reasonCode: row.reason_code,
  note: row.note,
  proposedBy: row.proposed_by_email,
  at: isoTime(row.created_at),
})

/**
 * One case: the session, the user with what it was checked against, the checks' results, earlier
 * reviews, and the decision waiting for a second person's confirmation, if one does.
 */
export const showCase = async (deps: ReviewDeps, sessionId: string) => {
  const { session, database } = await locateSession(deps, sessionId)
  // A proposal left open on a case the checks decided meanwhile can never be confirmed: not shown.
  const proposal = awaitsDecision(session) ? await openPendingDecision(database.db, session.id) : undefined
  return {
    ...caseSummary(database.region, session, deps.clock.now()),
    status: session.status,
    outcome: session.outcome,
    decidedAt: isoTime(session.outcome_at),
    user: await describeUser(deps, session.user_id),
    checks: await checkResultsFor(deps.keys, database, session.id),
    reviews: (await reviewDecisionsOf(database.db, session.id)).map((row) => ({
      reviewer: row.reviewer,
      action: row.action,
      reasonCode: row.reason_code,
      note: row.note,
      confirmedBy: row.confirmed_by,
      at: isoTime(row.created_at),
    })),
    pendingDecision: proposal ? proposalView(proposal) : null,
  }
}

export type ReviewInput = { action: ReviewAction; reasonCode?: string; note?: string; reviewer: string }

const MAX_NOTE_LENGTH = 2000

const isReasonCode = (code: string): code is ReasonCode => Object.hasOwn(REASON_CATALOGUE, code)

/**
 * What a reviewer's action means. A rejection names its reason; a request for new photos names a
 * reason a new attempt can fix (retryable), since the user is asked to try again; an approval has none.
 */
const decisionOf = (input: ReviewInput): Decision => {
  const code = input.reasonCode?.trim().toUpperCase()
  if (input.action === 'approve') {
    if (code) throw new AppError('VALIDATION_ERROR', { message: 'An approval takes no --reason' })
    return { outcome: 'approved', reasons: [] }
  }
  if (!code) throw new AppError('VALIDATION_ERROR', { message: `--reason is required to ${input.action}` })
  if (!isReasonCode(code))
    throw new AppError('VALIDATION_ERROR', {
      message: `Unknown reason ${code}; one of ${Object.keys(REASON_CATALOGUE).join(', ')}`,
    })
  if (input.action === 'resubmit' && !REASON_CATALOGUE[code].retryable)
    throw new AppError('VALIDATION_ERROR', {
      message: `${code} is not a reason a new attempt can fix: reject instead, or choose a retryable reason`,
    })
  return {
    outcome: input.action === 'reject' ? 'rejected' : 'resubmission_required',
    reasons: [reason(code)],
  }
}

const reviewerOf = (email: string) => {
  const reviewer = normalizeEmail(email)
  if (!reviewer) throw new AppError('VALIDATION_ERROR', { message: '--reviewer must be an email address' })
  return reviewer
}

const notDecidable = (sessionId: string) =>
  new AppError('CONFLICT', { message: `Session ${sessionId} is not waiting for a decision` })

/**
 * Decides a case through the decision seam; the review record and the audit entry are written in the
 * decision's own transaction, so a decision by a person never exists without who took it. A case
 * already decided is refused (409) and nothing is recorded.
 *
 * A decision the four-eyes rule holds (four-eyes.ts) is not applied: it is recorded as the case's
 * proposal (audited `case.decide` with `pending: true`), replacing an earlier one, and the session
 * stays undecided until another person confirms it (`confirmDecision`). The rule is applied again on
 * the session as read under the decision's lock, so checks that find a match while a reviewer approves
 * turn that approval into a proposal rather than letting it through.
 *
 * `options.guard` is the caller's own rule on who may decide (the console's case assignment): it runs
 * in the transaction that applies the decision or records the proposal, after the case's lock, so it
 * cannot be skipped by a decision racing it; what it throws refuses the decision with nothing written.
 */
export const decideCase = async (
  deps: ReviewDeps,
  sessionId: string,
  input: ReviewInput,
  actor: AuditActor,
  options: { guard?: DecisionGuard } = {},
) => {
  const reviewer = reviewerOf(input.reviewer)
  const note = input.note?.trim() || null
  if (note !== null && note.length > MAX_NOTE_LENGTH)
    throw new AppError('VALIDATION_ERROR', { message: `--note is longer than ${MAX_NOTE_LENGTH} characters` })
  const decision = decisionOf(input)
  const reasonCode = decision.reasons[0]?.code ?? null
  const { session, database } = await locateSession(deps, sessionId)
  // Until the checks have concluded (outcome still null) nothing has screened the person or looked for
  // a duplicate: a person may reject or ask for new photos, but not approve. The outcome only moves
  // away from null, so this read can only be too cautious, never let an approval through early.
  if (input.action === 'approve' && session.outcome === null && session.status === 'submitted')
    throw new AppError('CHECKS_PENDING', {
      message: `The automated checks of session ${session.id} have not finished; approve it once they have`,
    })
  // New photos are never held: only an approval or a rejection can be a proposal.
  const proposal = input.action === 'resubmit' ? null : { action: input.action, reasonCode, note, reviewer }
  const held = (current: SessionRow) =>
    proposal !== null && needsSecondPerson(proposal.action, reasonCode, findingsOf(current))
  if (proposal && held(session)) {
    await proposeDecision(deps, database, session.id, proposal, actor, options.guard)
    return showCase(deps, session.id)
  }
  const applied = await decide(
    deps,
    database,
    session.id,
    decision,
    async (trx) => {
      // A person's decision ends the proposal that waited, if one did: it is no longer the next step.
      const superseded = await resolvePendingDecisions(
        trx,
        { sessionId: session.id },
        { resolution: 'superseded', resolvedBy: actor, at: deps.clock.now() },
      )
      const reviewId = newId('review')
      await insertReviewDecision(trx, {
        id: reviewId,
        session_id: session.id,
        reviewer,
        action: input.action,
        reason_code: reasonCode,
        note,
        confirmed_by: null,
        created_at: deps.clock.now(),
      })
      // The note stays in the review record: free text may hold personal data, the audit entry must not.
      await appendAudit(deps, database, trx, {
        actor,
        action: 'case.decide',
        subject: { type: 'session', id: session.id },
        details: {
          userId: session.user_id,
          clientId: session.client_id,
          decision: input.action,
          reasonCode,
          reviewId,
          ...(superseded > 0 ? { supersededProposal: true } : {}),
        },
      })
    },
    { admits: (current) => !held(current), guard: options.guard },
  )
  if (!applied) {
    const current = await findSession(database.db, session.id)
    if (!current || !awaitsDecision(current) || !proposal || !held(current)) throw notDecidable(session.id)
    await proposeDecision(deps, database, session.id, proposal, actor, options.guard)
  }
  return showCase(deps, session.id)
}

/**
 * Records a proposal for a session still waiting for a decision, in place of the one that waited (at
 * most one is open: the partial unique index holds it on both dialects). The session's row lock orders
 * it after a decision being written and another proposal; a confirmation racing it finds its proposal
 * resolved, since the confirmation's resolution is conditional on the proposal being open.
 */
const proposeDecision = (
  deps: ReviewDeps,
  database: RegionDatabase,
  sessionId: string,
  proposal: {
    action: PendingDecisionRow['action']
    reasonCode: string | null
    note: string | null
    reviewer: string
  },
  actor: AuditActor,
  guard: DecisionGuard | undefined,
) =>
  database.db.transaction().execute(async (trx) => {
    await lockSession(database, trx, sessionId)
    const session = await findSession(trx, sessionId)
    if (!session || !awaitsDecision(session)) throw notDecidable(sessionId)
    await guard?.(trx, sessionId)
    const now = deps.clock.now()
    const superseded = await resolvePendingDecisions(
      trx,
      { sessionId },
      { resolution: 'superseded', resolvedBy: actor, at: now },
    )
    const pendingId = newId('pending')
    await insertPendingDecision(trx, {
      id: pendingId,
      session_id: sessionId,
      action: proposal.action,
      reason_code: proposal.reasonCode,
      note: proposal.note,
      proposed_by: actor,
      proposed_by_email: proposal.reviewer,
      created_at: now,
      resolved_at: null,
      resolved_by: null,
      resolution: null,
    })
    await appendAudit(deps, database, trx, {
      actor,
      action: 'case.decide',
      subject: { type: 'session', id: sessionId },
      details: {
        userId: session.user_id,
        clientId: session.client_id,
        decision: proposal.action,
        reasonCode: proposal.reasonCode,
        pending: true,
        pendingId,
        ...(superseded > 0 ? { supersededProposal: true } : {}),
      },
    })
  })

/**
 * A second person's confirmation of a proposal (four-eyes): the proposed decision is applied through
 * the same decision seam, in one transaction with its review record (proposer as reviewer, confirmer
 * as `confirmed_by`), the proposal's resolution and the audit entry `case.confirm`. Refused: the
 * proposer themself (FOUR_EYES_SAME_PERSON, by email and by actor), a proposal no longer open
 * (PROPOSAL_RESOLVED) and a case decided meanwhile (CONFLICT); nothing is written. Of two confirmations racing, one decides; the other
 * finds the case decided.
 */
export const confirmDecision = async (
  deps: ReviewDeps,
  sessionId: string,
  pendingId: string,
  confirmer: string,
  actor: AuditActor,
) => {
  const confirmedBy = reviewerOf(confirmer)
  const { session, database } = await locateSession(deps, sessionId)
  const proposal = await findPendingDecision(database.db, session.id, pendingId.trim())
  if (!proposal)
    throw new AppError('NOT_FOUND', { message: `No proposed decision ${pendingId} on this case` })
  if (proposal.resolution !== null)
    throw new AppError('PROPOSAL_RESOLVED', {
      message: `This proposal was already ${proposal.resolution}; nothing was changed`,
    })
  // The point of four eyes: whoever proposed may not also be the second person, under either name.
  if (proposal.proposed_by_email === confirmedBy || proposal.proposed_by === actor)
    throw new AppError('FOUR_EYES_SAME_PERSON')
  const decision = decisionOf({
    action: proposal.action,
    reviewer: proposal.proposed_by_email,
    ...(proposal.reason_code ? { reasonCode: proposal.reason_code } : {}),
  })
  const applied = await decide(deps, database, session.id, decision, async (trx) => {
    const now = deps.clock.now()
    const resolved = await resolvePendingDecisions(
      trx,
      { sessionId: session.id, pendingId: proposal.id },
      { resolution: 'confirmed', resolvedBy: actor, at: now },
    )
    // Superseded between the read above and this transaction: undo the decision (the throw rolls it back).
    if (resolved === 0)
      throw new AppError('PROPOSAL_RESOLVED', {
        message: 'This proposal was replaced meanwhile; nothing was changed',
      })
    const reviewId = newId('review')
    await insertReviewDecision(trx, {
      id: reviewId,
      session_id: session.id,
      reviewer: proposal.proposed_by_email,
      action: proposal.action,
      reason_code: proposal.reason_code,
      note: proposal.note,
      confirmed_by: confirmedBy,
      created_at: now,
    })
    await appendAudit(deps, database, trx, {
      actor,
      action: 'case.confirm',
      subject: { type: 'session', id: session.id },
      details: {
        userId: session.user_id,
        clientId: session.client_id,
        decision: proposal.action,
        reasonCode: proposal.reason_code,
        reviewId,
        pendingId: proposal.id,
        proposedBy: proposal.proposed_by,
      },
    })
  })
  if (!applied) throw notDecidable(session.id)
  return showCase(deps, session.id)
}

/**
 * The proposer takes their proposal back before anyone confirmed it: the case waits as before, for any
 * decision. Only the proposer (by email or actor) withdraws; anyone else replaces a proposal by
 * proposing or deciding. Audited `case.withdraw`; a proposal no longer open is PROPOSAL_RESOLVED (409).
 */
export const withdrawDecision = async (
  deps: ReviewDeps,
  sessionId: string,
  pendingId: string,
  reviewer: string,
  actor: AuditActor,
) => {
  const by = reviewerOf(reviewer)
  const { session, database } = await locateSession(deps, sessionId)
  const proposal = await findPendingDecision(database.db, session.id, pendingId.trim())
  if (!proposal)
    throw new AppError('NOT_FOUND', { message: `No proposed decision ${pendingId} on this case` })
  if (proposal.proposed_by_email !== by && proposal.proposed_by !== actor)
    throw new AppError('NOT_AUTHORIZED', {
      message: 'Only its proposer withdraws a proposal; propose or decide otherwise to replace it.',
    })
  await database.db.transaction().execute(async (trx) => {
    await lockSession(database, trx, session.id)
    const resolved = await resolvePendingDecisions(
      trx,
      { sessionId: session.id, pendingId: proposal.id },
      { resolution: 'withdrawn', resolvedBy: actor, at: deps.clock.now() },
    )
    if (resolved === 0)
      throw new AppError('PROPOSAL_RESOLVED', {
        message: 'This proposal was already resolved; nothing was changed',
      })
    await appendAudit(deps, database, trx, {
      actor,
      action: 'case.withdraw',
      subject: { type: 'session', id: session.id },
      details: { userId: session.user_id, clientId: session.client_id, pendingId: proposal.id },
    })
  })
  return showCase(deps, session.id)
}

/** Sanctions alerts on verified users waiting for a person (opened by re-screening after an import). */
export const listAlerts = (deps: ReviewDeps, options: { all?: boolean; limit?: number } = {}) =>
  listScreeningAlerts(deps, options.all ? ['open', 'cleared', 'confirmed'] : ['open'], options.limit)

export type AlertResolution = { action: 'clear' | 'confirm'; reviewer: string; note?: string }

/**
 * A person's word on an alert: `clear` (not the listed person) or `confirm` (the listed person). It is
 * recorded with the reviewer; the user's verification state is not touched either way. Confirming
 * needs a note, since it is the record of why the user must be offboarded or reported.
 */
export const resolveAlert = async (
  deps: ReviewDeps,
  alertId: string,
  input: AlertResolution,
  actor: AuditActor,
) => {
  const reviewer = reviewerOf(input.reviewer)
  const note = input.note?.trim() || null
  if (note !== null && note.length > MAX_NOTE_LENGTH)
    throw new AppError('VALIDATION_ERROR', { message: `--note is longer than ${MAX_NOTE_LENGTH} characters` })
  if (input.action === 'confirm' && note === null)
    throw new AppError('VALIDATION_ERROR', { message: '--note is required to confirm an alert' })
  const status = input.action === 'clear' ? 'cleared' : 'confirmed'
  return resolveScreeningAlert(deps, alertId, { status, reviewer, note }, async (trx, database, alert) => {
    await appendAudit(deps, database, trx, {
      actor,
      action: 'alert.resolve',
      subject: { type: 'alert', id: alert.id },
      details: {
        userId: alert.user_id,
        clientId: alert.client_id,
        resolution: status,
        list: alert.list_name,
        entry: alert.entry_reference,
      },
    })
  })
}
