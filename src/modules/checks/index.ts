/** The checks module's face: the job that decides submissions, the subscriber that enqueues it, the stored results. */

export { lazyAnalysisPool } from './analysis-pool.ts'
export { checkSubmissionJob, enqueueChecksOnSubmission } from './check-job.ts'
export { redactEvidenceJob, redactEvidenceSchedule } from './evidence-retention.ts'
export { documentNumberDigest } from './fingerprints.ts'
export { usersWithDocumentNumber } from './number-search.ts'
export { documentPolicyFor } from './policy.ts'
export { rescreenVerifiedUsersJob } from './rescreen-job.ts'
export { checkResultsFor } from './results.ts'
export {
  enqueueFeedbackOnUpload,
  type UploadFeedback,
  uploadFeedbackFor,
  uploadFeedbackJob,
} from './upload-feedback.ts'
