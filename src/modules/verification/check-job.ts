import type { Databases } from '../../db/database.ts'
import type { JobDefinition } from '../../jobs/definitions.ts'
import { sandboxDecision } from '../sandbox/scenarios.ts'
import { findUserById } from '../users/repo.ts'
import { findSession } from './repo.ts'
import { CHECK_SUBMISSION, type CheckSubmissionPayload, type Decision, decideSession } from './service.ts'

/**
 * Checks and decides a submission. The uploads were already decoded and validated when they arrived
 * (type, integrity, size). Sandbox clients are decided by the magic names (docs/api.md, Sandbox). For
 * live clients the automated document and face checks are not built yet, so every live submission
 * goes to manual review: the user stays PENDING until a compliance officer decides, which is the
 * safe outcome of an inconclusive check.
 */
export const checkSubmissionJob = (databases: Databases): JobDefinition => ({
  type: CHECK_SUBMISSION,
  async handle(payload, { database, clock, log }) {
    const { sessionId, sandbox } = payload as CheckSubmissionPayload
    const session = await findSession(database.db, sessionId)
    if (!session) return
    const user = await findUserById(database.db, session.user_id)
    if (!user) return
    const decision: Decision = sandbox ? sandboxDecision(user) : { outcome: 'review', reasons: [] }
    const applied = await decideSession({ clock, databases }, database, session.id, decision)
    log.info({ sessionId: session.id, sandbox, outcome: decision.outcome, applied }, 'submission checked')
  },
})
