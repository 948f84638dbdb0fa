import type { JobDefinition } from '../../jobs/definitions.ts'
import { findUserById } from '../users/repo.ts'
import { findSession } from '../verification/repo.ts'
import { DECIDE_SANDBOX_SUBMISSION, decideSession } from '../verification/service.ts'
import { sandboxDecision } from './scenarios.ts'

/** Decides a sandbox client's submission from the magic name, through the same job path as real checks. */
export const sandboxDecideJob: JobDefinition = {
  type: DECIDE_SANDBOX_SUBMISSION,
  async handle(payload, { database, clock, log }) {
    const session = await findSession(database.db, (payload as { sessionId: string }).sessionId)
    if (!session) return
    const user = await findUserById(database.db, session.user_id)
    if (!user) return
    const decision = sandboxDecision(user)
    const applied = await decideSession({ clock }, database, session.id, decision)
    log.info({ sessionId: session.id, outcome: decision.outcome, applied }, 'sandbox submission decided')
  },
}
