/** The checks module's face: the job that decides submissions and the subscriber that enqueues it. */
export { CHECK_SUBMISSION, checkSubmissionJob, enqueueChecksOnSubmission } from './check-job.ts'
