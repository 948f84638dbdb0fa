/** The checks module's face: the job that decides submissions, the subscriber that enqueues it, the stored results. */
export { checkSubmissionJob, enqueueChecksOnSubmission } from './check-job.ts'
export { rescreenVerifiedUsersJob } from './rescreen-job.ts'
export { checkResultsFor } from './results.ts'
