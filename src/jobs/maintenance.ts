import { DAY_MS, HOUR_MS } from '../lib/clock.ts'
import { type JobDefinition, NO_PAYLOAD, type RecurringJob } from './definitions.ts'
import { pruneFinishedJobs } from './queue.ts'

export const FINISHED_JOB_RETENTION_MS = 7 * DAY_MS

/** Deletes jobs that finished successfully more than a week ago, so the queue table stays small. */
export const pruneJobsJob: JobDefinition = {
  type: 'jobs.prune',
  payload: NO_PAYLOAD,
  async handle(_payload, { database, clock, log }) {
    const deleted = await pruneFinishedJobs(database, clock.now() - FINISHED_JOB_RETENTION_MS)
    if (deleted > 0) log.info({ deleted }, 'pruned finished jobs')
  },
}

export const maintenanceSchedule: RecurringJob[] = [{ type: pruneJobsJob.type, everyMs: HOUR_MS }]
