/** The checks module's face: the job that decides submissions, the subscriber that enqueues it, the stored results. */
export { checkResultsFor, checkSubmissionJob, enqueueChecksOnSubmission } from './check-job.ts'
