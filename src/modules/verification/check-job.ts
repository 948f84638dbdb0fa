import type { Databases } from '../../db/database.ts'
import type { JobDefinition } from '../../jobs/definitions.ts'
import { findClient } from '../clients/repo.ts'
import { sandboxDecision } from '../sandbox/scenarios.ts'
import { findUserById } from '../users/repo.ts'
import { checkSubmission } from './check-job-type.ts'
import { reason } from './reasons.ts'
import { findSession } from './repo.ts'
import { type CheckSubmissionPayload, type Decision, decideSession } from './service.ts'

/**
 * Checks and decides a submission. The uploads were already decoded and validated when they arrived
 * (type, integrity, size). Sandbox clients are decided by the magic names (docs/api.md, Sandbox). For
 * live clients the automated document and face checks are not built yet, so every live submission
 * goes to manual review: the user stays PENDING until a compliance officer decides, which is the
 * safe outcome of an inconclusive check. A suspended user, or a user of a disabled client, is never
 * decided by the checks, sandbox or live: the submission goes to review with the reason.
 */
export const checkSubmissionJob = (databases: Databases): JobDefinition<CheckSubmissionPayload> => ({
  ...checkSubmission,
  async handle(payload, { database, clock, log }) {
    const { sessionId, sandbox } = payload
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
    const applied = await decideSession({ clock, databases }, database, session.id, decision)
    log.info({ sessionId: session.id, sandbox, outcome: decision.outcome, applied }, 'submission checked')
  },
})
