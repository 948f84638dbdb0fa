import { Type } from 'typebox'
import type { Databases, Queryable } from '../../db/database.ts'
import type { DocumentSlot } from '../../db/schema.ts'
import { type JobDefinition, jobType } from '../../jobs/definitions.ts'
import { enqueueJob } from '../../jobs/queue.ts'
import type { Clock } from '../../lib/clock.ts'
import { currentUploadId, uploadedFile } from '../capture/index.ts'
import { findClient } from '../clients/index.ts'
import type { DocumentVault } from '../documents/index.ts'
import { findUserById } from '../users/index.ts'
import {
  findSession,
  REASON_CATALOGUE,
  type ReasonCode,
  reason,
  type VerificationSubscriber,
} from '../verification/index.ts'
import type { AnalysisInput } from './analysis/input.ts'
import type { AnalysisPool } from './analysis-pool.ts'
import { checkContext } from './context.ts'
import { CHECKS } from './pipeline.ts'
import { saveUploadFeedback, uploadFeedbackOf } from './repo.ts'

/** The job that gives feedback on one upload while the user is still on the page. */
export const checkUpload = jobType(
  'capture.feedback',
  Type.Object({ sessionId: Type.String(), documentId: Type.String() }),
)

/**
 * Enqueues the feedback on every live upload, in the upload's own transaction. Sandbox uploads get none:
 * their scenario decides, whatever the photo.
 */
export const enqueueFeedbackOnUpload =
  (clock: Clock): VerificationSubscriber =>
  async (trx, change) => {
    if (change.kind !== 'upload-stored' || change.sandbox) return
    // One try more after a crash; later the user has moved on and the submission's checks speak.
    await enqueueJob(
      trx,
      clock,
      checkUpload,
      { sessionId: change.sessionId, documentId: change.documentId },
      { maxAttempts: 2 },
    )
  }

/** The checks that judge an upload of this slot on its own. */
const feedbackChecks = (slot: DocumentSlot, input: AnalysisInput) =>
  CHECKS.filter((check) => check.feedback?.on(slot, input))

/**
 * Analyses the one uploaded file in the worker's analysis threads and runs the fast checks on it. Only
 * a retryable failure asks for a retake: a photo the fast checks cannot judge, or a failure a new
 * photo cannot fix, is left to the submission's checks (and to a person), never announced here.
 */
export const uploadFeedbackJob = (
  databases: Databases,
  deps: Parameters<typeof checkContext>[0] & { vault: DocumentVault; analysis: AnalysisPool },
): JobDefinition<{ sessionId: string; documentId: string }> => ({
  ...checkUpload,
  prepare: () => deps.analysis.ready(),
  async handle({ sessionId, documentId }, { database, clock }) {
    const session = await findSession(database.db, sessionId)
    if (session?.status !== 'opened') return
    const upload = await uploadedFile(deps, database.db, sessionId, documentId)
    if (!upload) return
    const file: AnalysisInput = {
      documentType: upload.documentType,
      issuingCountry: upload.issuingCountry,
      files: { [upload.slot]: upload.file },
    }
    const checks = feedbackChecks(upload.slot, file)
    // Only what these checks read is analysed: the budget is per photo, and the user is waiting.
    const input = { ...file, analyzers: [...new Set(checks.flatMap((check) => check.feedback?.reads ?? []))] }
    let retake: ReasonCode | undefined
    if (checks.length > 0) {
      const user = await findUserById(database.db, session.user_id)
      if (!user) return
      const client = await findClient(databases.home.db, { id: session.client_id })
      const analysis = await deps.analysis.analyze(input)
      const context = checkContext(deps, databases, database, clock, {
        session,
        user,
        client,
        sandbox: false,
        input,
        analysis,
      })
      for (const check of checks) {
        if (!check.appliesTo(context)) continue
        const finding = await check.run(context)
        if (finding.outcome === 'fail' && finding.reason && REASON_CATALOGUE[finding.reason].retryable) {
          retake = finding.reason
          break
        }
      }
    }
    await saveUploadFeedback(database.db, {
      document_id: documentId,
      session_id: sessionId,
      slot: upload.slot,
      outcome: retake ? 'retake' : 'ok',
      reason_code: retake ?? null,
      created_at: clock.now(),
    })
  },
})

export type UploadFeedback =
  | { status: 'pending' | 'ok' | 'none' }
  | { status: 'retake'; reason: { code: ReasonCode; message: string } }

/** What the hosted page tells the user about the photo now in a slot. */
export const uploadFeedbackFor = async (
  db: Queryable,
  sessionId: string,
  slot: DocumentSlot,
): Promise<UploadFeedback> => {
  const documentId = await currentUploadId(db, sessionId, slot)
  if (!documentId) return { status: 'none' }
  const row = await uploadFeedbackOf(db, documentId)
  if (!row) return { status: 'pending' }
  if (row.outcome === 'ok' || !row.reason_code || !(row.reason_code in REASON_CATALOGUE))
    return { status: 'ok' }
  const { code, message } = reason(row.reason_code as ReasonCode)
  return { status: 'retake', reason: { code, message } }
}
