import type { Databases } from '../../db/database.ts'
import type { JobDefinition } from '../../jobs/definitions.ts'
import { enqueueJob } from '../../jobs/queue.ts'
import type { Clock } from '../../lib/clock.ts'
import { findClient } from '../clients/repo.ts'
import { sandboxDecision } from '../sandbox/index.ts'
import { findUserById } from '../users/index.ts'
import {
  type Decision,
  decide,
  findSession,
  reason,
  type StateWriterDeps,
  type VerificationSubscriber,
} from '../verification/index.ts'

/** The job that checks and decides a submission (for sandbox clients: by the magic names). */
export const CHECK_SUBMISSION = 'verification.check'
export type CheckSubmissionPayload = { sessionId: string; sandbox: boolean }

/**
 * Enqueues the check of every submission, in the submission's own transaction: a submitted session
 * always has its check job, and a refused submission has none.
 */
export const enqueueChecksOnSubmission =
  (clock: Clock): VerificationSubscriber =>
  async (trx, change) => {
    if (change.kind !== 'session-submitted') return
    const payload: CheckSubmissionPayload = { sessionId: change.session.id, sandbox: change.sandbox }
    await enqueueJob(trx, clock, CHECK_SUBMISSION, payload)
  }

/**
 * Checks and decides a submission. The uploads were already decoded and validated when they arrived
 * (type, integrity, size). Sandbox clients are decided by the magic names (docs/api.md, Sandbox). For
 * live clients the automated document and face checks are not built yet, so every live submission
 * goes to manual review: the user stays PENDING until a compliance officer decides, which is the
 * safe outcome of an inconclusive check. A suspended user, or a user of a disabled client, is never
 * decided by the checks, sandbox or live: the submission goes to review with the reason.
 */
export const checkSubmissionJob = (
  databases: Databases,
  deps: Pick<StateWriterDeps, 'verificationChanges'>,
): JobDefinition => ({
  type: CHECK_SUBMISSION,
  async handle(payload, { database, clock, log }) {
    const { sessionId, sandbox } = payload as CheckSubmissionPayload
    const session = await findSession(database.db, sessionId)
    if (!session) return
    const user = await findUserById(database.db, session.user_id)
    if (!user) return
    const client = await findClient(databases.home.db, { id: session.client_id })
    const decision: Decision =
      user.status === 'suspended'
        ? { outcome: 'review', reasons: [reason('ACCOUNT_SUSPENDED')] }
        : client?.status !== 'active'
          ? { outcome: 'review', reasons: [reason('CLIENT_DISABLED')] }
          : sandbox
            ? sandboxDecision(user)
            : { outcome: 'review', reasons: [] }
    const applied = await decide(
      { clock, verificationChanges: deps.verificationChanges },
      database,
      session.id,
      decision,
    )
    log.info({ sessionId: session.id, sandbox, outcome: decision.outcome, applied }, 'submission checked')
  },
})
