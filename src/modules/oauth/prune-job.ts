import { type JobDefinition, NO_PAYLOAD, type RecurringJob } from '../../jobs/definitions.ts'
import { DAY_MS, HOUR_MS } from '../../lib/clock.ts'
import { pruneExpired } from './repo.ts'

/**
 * Codes and refresh tokens past their expiry are refused whether or not their row exists; a code's row
 * is kept a day longer so that a replay soon after still finds it and revokes what it issued.
 */
export const pruneOAuthJob: JobDefinition = {
  type: 'oauth.prune-expired',
  payload: NO_PAYLOAD,
  async handle(_payload, { database, clock, log }) {
    const now = clock.now()
    const deleted = await pruneExpired(database.db, { codesBefore: now - DAY_MS, refreshTokensBefore: now })
    if (deleted.codes + deleted.refreshTokens > 0)
      log.info(deleted, 'pruned expired OAuth codes and refresh tokens')
  },
}

export const pruneOAuthSchedule: RecurringJob = { type: pruneOAuthJob.type, everyMs: HOUR_MS }
