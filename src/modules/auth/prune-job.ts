import { type JobDefinition, NO_PAYLOAD, type RecurringJob } from '../../jobs/definitions.ts'
import { HOUR_MS } from '../../lib/clock.ts'
import { PER_ACCOUNT, PER_ADDRESS } from './login-failures.ts'
import { pruneLoginFailures } from './repo.ts'

/** After this long a failure row counts for nothing: its window and any lock it set have ended. */
const LOGIN_FAILURE_RETENTION_MS = Math.max(
  PER_ADDRESS.windowMs + PER_ADDRESS.lockoutMs,
  PER_ACCOUNT.windowMs + PER_ACCOUNT.lockoutMs,
)

/** Login failures of unknown emails would otherwise pile up forever. */
export const pruneLoginFailuresJob: JobDefinition = {
  type: 'auth.prune-login-failures',
  payload: NO_PAYLOAD,
  async handle(_payload, { database, clock, log }) {
    const deleted = await pruneLoginFailures(database.db, clock.now() - LOGIN_FAILURE_RETENTION_MS)
    if (deleted > 0) log.info({ deleted }, 'pruned login failures')
  },
}

export const pruneLoginFailuresSchedule: RecurringJob = {
  type: pruneLoginFailuresJob.type,
  everyMs: HOUR_MS,
}
