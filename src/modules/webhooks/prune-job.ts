import { type JobDefinition, NO_PAYLOAD, type RecurringJob } from '../../jobs/definitions.ts'
import { DAY_MS, HOUR_MS } from '../../lib/clock.ts'
import { pruneWebhookData } from './repo.ts'

/** Attempt logs hold receivers' answers and the bodies sent; a week is enough to debug an integration. */
export const ATTEMPT_LOG_RETENTION_MS = 7 * DAY_MS
export const EVENT_RETENTION_MS = 30 * DAY_MS

export const pruneWebhooksJob: JobDefinition = {
  type: 'webhooks.prune',
  payload: NO_PAYLOAD,
  async handle(_payload, { database, clock, log }) {
    const now = clock.now()
    const deleted = await pruneWebhookData(database.db, {
      attemptsBefore: now - ATTEMPT_LOG_RETENTION_MS,
      eventsBefore: now - EVENT_RETENTION_MS,
    })
    if (deleted.attempts + deleted.events > 0) log.info(deleted, 'pruned webhook logs and events')
  },
}

export const pruneWebhooksSchedule: RecurringJob = { type: pruneWebhooksJob.type, everyMs: HOUR_MS }
