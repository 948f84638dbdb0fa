import type { JobDefinition, RecurringJob } from '../../jobs/definitions.ts'
import { expireSessions } from './sessions.ts'

/** Expires sessions past their time and records opened ones as abandoned (a failure for 3_per_hour). */
export const expireSessionsJob: JobDefinition = {
  type: 'verification.expire-sessions',
  async handle(_payload, { database, clock, log }) {
    const expired = await expireSessions(database, clock)
    if (expired > 0) log.info({ expired }, 'expired verification sessions')
  },
}

export const expireSessionsSchedule: RecurringJob = { type: expireSessionsJob.type, everyMs: 60_000 }
