import type { Databases, RegionDatabase } from '../../db/database.ts'
import type { ReviewAction, SessionRow } from '../../db/schema.ts'
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
  decide,
  findSession,
  listSessionsAwaitingDecision,
  REASON_CATALOGUE,
  type ReasonCode,
  reason,
  type VerificationChanges,
} from '../verification/index.ts'
import { insertReviewDecision, reviewDecisionsOf } from './repo.ts'

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

const caseSummary = (region: RegionDatabase['region'], session: SessionRow, now: number) => ({
  sessionId: session.id,
  region,
  clientId: session.client_id,
  userId: session.user_id,
  submittedAt: isoTime(session.submitted_at),
  waitingSeconds: session.submitted_at === null ? 0 : Math.floor((now - session.submitted_at) / 1000),
  reasons: (JSON.parse(session.reasons) as { code: string }[]).map((each) => each.code),
})

/** Every submission waiting for a decision, oldest first, across regions. */
export const listCases = async (deps: ReviewDeps, limit = 100) => {
  const now = deps.clock.now()
  const perRegion = await Promise.all(
    deps.databases.all.map(async (database) =>
      (await listSessionsAwaitingDecision(database.db, limit)).map((session) =>
        caseSummary(database.region, session, now),
      ),
    ),
  )
  return perRegion
    .flat()
    .sort(
      (a, b) =>
        (a.submittedAt ?? '').localeCompare(b.submittedAt ?? '') || a.sessionId.localeCompare(b.sessionId),
    )
    .slice(0, limit)
}

const locateSession = async ({ databases }: Pick<ReviewDeps, 'databases'>, sessionId: string) => {
  for (const database of databases.all) {
    const session = await findSession(database.db, sessionId.trim())
    if (session) return { session, database }
  }
  throw new AppError('NOT_FOUND', { message: `No verification session ${sessionId}` })
}

/** One case: the session, the user with what it was checked against, the checks' results, earlier reviews. */
export const showCase = async (deps: ReviewDeps, sessionId: string) => {
  const { session, database } = await locateSession(deps, sessionId)
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
      at: isoTime(row.created_at),
    })),
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

/**
 * Decides a case through the decision seam; the review record and the audit entry are written in the
 * decision's own transaction, so a decision by a person never exists without who took it. A case
 * already decided is refused (409) and nothing is recorded.
 */
export const decideCase = async (
  deps: ReviewDeps,
  sessionId: string,
  input: ReviewInput,
  actor: AuditActor,
) => {
  const reviewer = normalizeEmail(input.reviewer)
  if (!reviewer) throw new AppError('VALIDATION_ERROR', { message: '--reviewer must be an email address' })
  const note = input.note?.trim() || null
  if (note !== null && note.length > MAX_NOTE_LENGTH)
    throw new AppError('VALIDATION_ERROR', { message: `--note is longer than ${MAX_NOTE_LENGTH} characters` })
  const decision = decisionOf(input)
  const { session, database } = await locateSession(deps, sessionId)
  const applied = await decide(deps, database, session.id, decision, async (trx) => {
    const reviewId = newId('review')
    const reasonCode = decision.reasons[0]?.code ?? null
    await insertReviewDecision(trx, {
      id: reviewId,
      session_id: session.id,
      reviewer,
      action: input.action,
      reason_code: reasonCode,
      note,
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
      },
    })
  })
  if (!applied)
    throw new AppError('CONFLICT', { message: `Session ${session.id} is not waiting for a decision` })
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
  const reviewer = normalizeEmail(input.reviewer)
  if (!reviewer) throw new AppError('VALIDATION_ERROR', { message: '--reviewer must be an email address' })
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
