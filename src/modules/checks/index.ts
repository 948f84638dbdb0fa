/** The checks module's face: the job that decides submissions and the subscriber that enqueues it. */
export { checkSubmissionJob, enqueueChecksOnSubmission } from './check-job.ts'
