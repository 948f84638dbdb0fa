import type { Transaction } from 'kysely'
import type { RegionDatabase } from '../../db/database.ts'
import type { DB, SessionOutcome, SessionRow } from '../../db/schema.ts'
import { lockUser } from '../users/index.ts'
import type { Reason } from './reasons.ts'
import { findSession, recordSessionOutcome } from './repo.ts'
import { applyVerificationEvent, type StateWriterDeps } from './state.ts'
import type { VerificationEvent } from './state-machine.ts'

/** A caller's rule run inside the decision's transaction: it throws to refuse, and nothing is written. */
export type DecisionGuard = (trx: Transaction<DB>, sessionId: string) => Promise<void>

/**
 * Where a submission is turned into a decision: the sandbox scenarios, the automated checks and the
 * reviewers all end here with a `Decision`, and nothing else records an outcome.
 */
export type Decision = { outcome: Exclude<SessionOutcome, 'abandoned'>; reasons: Reason[] }

const EVENT_OF: Record<Decision['outcome'], VerificationEvent | undefined> = {
  approved: { type: 'decided', decision: 'VERIFIED' },
  rejected: { type: 'decided', decision: 'REJECTED' },
  resubmission_required: { type: 'resubmission_required' },
  // Waiting for a person: the user stays PENDING (or VERIFIED while re-verifying).
  review: undefined,
}

/**
 * Records the decision on a submitted session and moves the user's state accordingly, once: a session
 * already decided (other than "review") is left as it is and the call answers false. `record` runs in
 * the same transaction when the decision is taken (a reviewer's audit row), and not when it is not.
 * `undecidedOnly` is the machine's: a session already sent to a person is not decided again by a check
 * job that runs once more (after a crash between its decision and its completion, say). `admits` is a
 * caller's own condition on the session as read under the lock (the review module's four-eyes rule on
 * what the checks found): when it answers false nothing is decided and the call answers false. `guard`
 * is a caller's rule that needs the database (the console's case assignment): it runs in the same
 * transaction, under the lock and before anything is written, and refuses the decision by throwing.
 */
export const decide = async (
  deps: StateWriterDeps,
  database: RegionDatabase,
  sessionId: string,
  decision: Decision,
  record?: (trx: Transaction<DB>) => Promise<void>,
  options: {
    undecidedOnly?: boolean
    admits?: (session: SessionRow) => boolean
    guard?: DecisionGuard
  } = {},
): Promise<boolean> =>
  database.db.transaction().execute(async (trx) => {
    const found = await findSession(trx, sessionId)
    if (!found) return false
    const user = await lockUser(database, trx, found.user_id)
    if (!user) return false
    // Read again under the user's lock: two deciders (a check job and a reviewer, say) racing for the
    // same session must not both decide it, nor the later one overwrite the earlier one's outcome.
    const session = await findSession(trx, sessionId)
    // Only a submitted session that is undecided (or waiting in review) takes a decision.
    const decidable =
      session?.status === 'submitted' &&
      (session.outcome === null || (session.outcome === 'review' && !options.undecidedOnly))
    if (!session || !decidable) return false
    if (options.admits && !options.admits(session)) return false
    await options.guard?.(trx, session.id)
    // The outcome first: subscribers of the state change read the session as decided.
    await recordSessionOutcome(trx, session.id, {
      outcome: decision.outcome,
      outcome_at: deps.clock.now(),
      reasons: JSON.stringify(decision.reasons),
    })
    const event = EVENT_OF[decision.outcome]
    if (event) {
      await applyVerificationEvent(trx, deps, {
        database,
        user,
        event,
        sessionId: session.id,
        reasons: decision.reasons,
        reverifying: session.reverification === 1,
        identityDigest: session.identity_digest,
      })
    }
    await record?.(trx)
    return true
  })
