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
import type { AnalysisPool } from './analysis-pool.ts'
import type { CheckConfig } from './check.ts'
import { checkContext } from './context.ts'
import { recordFingerprints } from './duplicate-identity.ts'
import { runChecks } from './pipeline.ts'
import { saveResults } from './results.ts'
import { decisionFrom, requiredKindsFor } from './rules.ts'

/**
 * The analysis, or — on the job's last attempt — what stands for it when it keeps failing (a file that
 * makes an analyzer crash or overrun every time): no part at all, so every check that needed one is
 * inconclusive and a person decides. Earlier attempts rethrow, and the job is retried.
 */
const analysed = async (
  pool: AnalysisPool,
  input: Parameters<AnalysisPool['analyze']>[0],
  job: { attempts: number; max_attempts: number },
) => {
  try {
    return await pool.analyze(input)
  } catch (error) {
    if (job.attempts < job.max_attempts) throw error
    return { failed: error instanceof Error ? error.message.slice(0, 200) : 'analysis failed' }
  }
}

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
    keys: Pick<
      Keys,
      'checkEvidence' | 'identityFingerprints' | 'documentNumbers' | 'identitySnapshots' | 'ssn'
    >
    vault: DocumentVault
    config: Pick<Config, 'documentPolicies'> & CheckConfig
    /** The worker's analysis threads: their models load when the worker starts (prepare). */
    analysis: AnalysisPool
  },
): JobDefinition<{ sessionId: string; sandbox: boolean }> => ({
  ...checkSubmission,
  prepare: () => deps.analysis.ready(),
  release: () => deps.analysis.close(),
  async handle({ sessionId, sandbox }, { database, clock, log, job, completeWith }) {
    const session = await findSession(database.db, sessionId)
    // Decided already (by an earlier run that died before completing, or by a person): nothing to do.
    if (!session || session.outcome !== null) return
    const user = await findUserById(database.db, session.user_id)
    if (!user) return
    const client = await findClient(databases.home.db, { id: session.client_id })
    const input = await submittedEvidence(deps, database.db, session.id)
    // Sandbox submissions are decided by their scenario: their images are never analysed.
    const analysis = sandbox ? {} : await analysed(deps.analysis, input, job)
    const context = checkContext(deps, databases, database, clock, {
      session,
      user,
      client,
      sandbox,
      input,
      analysis,
    })
    const results = await runChecks(context)
    const { decision, rule } = decisionFrom(results, requiredKindsFor({ sandbox, region: database.region }))
    const applied = await decide(
      { clock, verificationChanges: deps.verificationChanges },
      database,
      session.id,
      decision,
      async (trx) => {
        // Completed with the decision: a worker that dies after this commit leaves nothing to redo.
        await completeWith(trx)
        await saveResults(trx, deps.keys, session.id, results, clock.now())
        // Sandbox identities are never compared, so they are not kept either.
        if (!sandbox)
          await recordFingerprints(
            trx,
            database,
            { ...context, keys: deps.keys },
            {
              approving: decision.outcome === 'approved',
              at: clock.now(),
            },
          )
      },
      { undecidedOnly: true },
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
