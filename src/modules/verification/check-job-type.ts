import { Type } from 'typebox'
import { jobType } from '../../jobs/definitions.ts'

/** The job that checks and decides a submitted session (check-job.ts), enqueued by submitSession. */
export const checkSubmission = jobType(
  'verification.check',
  Type.Object({ sessionId: Type.String(), sandbox: Type.Boolean() }),
)
