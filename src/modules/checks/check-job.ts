import { Type } from 'typebox'
import type { Config } from '../../config/config.ts'
import type { Databases } from '../../db/database.ts'
import { type JobDefinition, jobType } from '../../jobs/definitions.ts'
import { enqueueJob } from '../../jobs/queue.ts'
import type { Clock } from '../../lib/clock.ts'
import type { Keys } from '../../lib/keys.ts'
import { submittedEvidence } from '../capture/index.ts'
import { findClient } from '../clients/index.ts'
import type { DocumentVault } from '../documents/index.ts'
import { findUserById } from '../users/index.ts'
import {
  decide,
  findSession,
  type StateWriterDeps,
  type VerificationSubscriber,
} from '../verification/index.ts'
import { analyzeSubmission } from './analysis/analysis.ts'
import { runChecks } from './pipeline.ts'
import { saveResults } from './results.ts'
import { decisionFrom, REQUIRED_KINDS } from './rules.ts'

/** The job that checks and decides a submission. */
export const checkSubmission = jobType(
  'verification.check',
  Type.Object({ sessionId: Type.String(), sandbox: Type.Boolean() }),
)

/**
 * Enqueues the check of every submission, in the submission's own transaction: a submitted session
 * always has its check job, and a refused submission has none.
 */
export const enqueueChecksOnSubmission =
  (clock: Clock): VerificationSubscriber =>
  async (trx, change) => {
    if (change.kind !== 'session-submitted') return
    await enqueueJob(trx, clock, checkSubmission, { sessionId: change.session.id, sandbox: change.sandbox })
  }

/**
 * Checks and decides a submission: the checks of pipeline.ts run, the rules of rules.ts turn their
 * results into a decision, and the results are stored in the decision's own transaction. The uploads
 * were already decoded and validated when they arrived (type, integrity, size). A session someone
 * decided meanwhile keeps that decision, and the results of this run are not stored.
 */
export const checkSubmissionJob = (
  databases: Databases,
  deps: Pick<StateWriterDeps, 'verificationChanges'> & {
    config: Config
    keys: Pick<Keys, 'checkEvidence'>
    vault: DocumentVault
  },
): JobDefinition<{ sessionId: string; sandbox: boolean }> => ({
  ...checkSubmission,
  async handle({ sessionId, sandbox }, { database, clock, log }) {
    const session = await findSession(database.db, sessionId)
    if (!session) return
    const user = await findUserById(database.db, session.user_id)
    if (!user) return
    const client = await findClient(databases.home.db, { id: session.client_id })
    const input = await submittedEvidence(deps, database.db, session.id)
    // Sandbox submissions are decided by their scenario: their images are never analysed.
    const analysis = sandbox ? {} : await analyzeSubmission(input)
    const results = await runChecks({
      session,
      user,
      client,
      sandbox,
      config: deps.config,
      input,
      analysis,
      now: clock.now(),
      database,
      databases,
    })
    const { decision, rule } = decisionFrom(results, REQUIRED_KINDS[sandbox ? 'sandbox' : 'live'])
    const applied = await decide(
      { clock, verificationChanges: deps.verificationChanges },
      database,
      session.id,
      decision,
      (trx) => saveResults(trx, deps.keys, session.id, results, clock.now()),
    )
    log.info(
      {
        sessionId: session.id,
        sandbox,
        outcome: decision.outcome,
        rule,
        checks: results.map((result) => `${result.id}:${result.outcome}`),
        applied,
      },
      'submission checked',
    )
  },
})
