import { Type } from 'typebox'
import type { Databases, Queryable, RegionDatabase } from '../../db/database.ts'
import type { WebhookEndpointRow } from '../../db/schema.ts'
import { type JobDefinition, jobType } from '../../jobs/definitions.ts'
import { PermanentJobError, RetryJobLaterError } from '../../jobs/errors.ts'
import { enqueueJob } from '../../jobs/queue.ts'
import type { Clock } from '../../lib/clock.ts'
import { newId } from '../../lib/ids.ts'
import { signingKeys } from './endpoint-keys.ts'
import { TEST_EVENT_TYPE } from './event-types.ts'
import * as repo from './repo.ts'
import { FAILING_DISABLE_AFTER_MS, MAX_ATTEMPTS, parseRetryAfter, retryDelay } from './retry-schedule.ts'
import { postWebhook, type SenderOptions, verdictOf } from './sender.ts'
import { signatureHeaders } from './signing.ts'

export const deliverWebhook = jobType('webhooks.deliver', Type.Object({ deliveryId: Type.String() }))

const USER_AGENT = 'Verity-Webhooks/1'

/** Writes a pending delivery and the job that sends it, through the caller's transaction. */
export const queueDelivery = async (
  db: Queryable,
  clock: Clock,
  eventId: string,
  endpointId: string,
  clientId: string,
): Promise<string> => {
  const now = clock.now()
  const id = newId('delivery')
  await repo.insertDelivery(db, {
    id,
    event_id: eventId,
    endpoint_id: endpointId,
    client_id: clientId,
    status: 'pending',
    attempts: 0,
    last_status: null,
    last_error: null,
    next_retry_at: now,
    delivered_at: null,
    created_at: now,
    updated_at: now,
  })
  await enqueueDeliveryJob(db, clock, id)
  return id
}

/**
 * Each job runs the whole retry schedule once; a retry asked for by the client starts a new job. The job
 * may run once more than the schedule has attempts: a worker that dies during an attempt uses up a run
 * without recording it, and without that spare run the queue would bury the job while the delivery
 * still said "pending". The spare run makes the final attempt and records the delivery as failed.
 */
export const enqueueDeliveryJob = (db: Queryable, clock: Clock, deliveryId: string) =>
  enqueueJob(db, clock, deliverWebhook, { deliveryId }, { maxAttempts: MAX_ATTEMPTS + 1 })

export type DeliveryDeps = { databases: Databases; sealingKey: Buffer; sender: SenderOptions }

/**
 * The delivery, and the endpoint it goes to if it may still receive: a deleted endpoint, or one whose
 * client was disabled since the event, gets nothing. Read fresh for every attempt, so that a disabled
 * endpoint or a rotated key is never missed; in one statement where both share the home database.
 */
const deliveryAndEndpoint = async (deps: DeliveryDeps, database: RegionDatabase, deliveryId: string) => {
  if (database.region === deps.databases.home.region) {
    const found = await repo.findDeliveryWithEndpoint(database.db, deliveryId)
    return { delivery: found?.delivery, endpoint: found?.endpoint }
  }
  const delivery = await repo.findDeliveryWithEvent(database.db, deliveryId)
  const endpoint =
    delivery?.status === 'pending'
      ? await repo.deliverableEndpoint(deps.databases.home.db, delivery.endpoint_id)
      : undefined
  return { delivery, endpoint }
}

/** Why an endpoint no longer takes deliveries, or undefined when it does. */
const unavailable = (endpoint: WebhookEndpointRow | undefined, eventType: string): string | undefined => {
  if (!endpoint) return 'endpoint deleted or client disabled'
  if (endpoint.status === 'disabled') return `endpoint disabled: ${endpoint.disabled_reason}`
  // A test event may go to an endpoint that is not active yet: that is how one is tried out.
  if (endpoint.status === 'inactive' && eventType !== TEST_EVENT_TYPE) return 'endpoint inactive'
  return undefined
}

/**
 * Sends one delivery: one HTTP attempt per job run, logged, then the delivery and the endpoint's health
 * are updated and the job is told when to come back (the schedule in retry-schedule.ts, or the
 * receiver's Retry-After). At-least-once: a worker that dies after the receiver answered but before the
 * log was written sends again, with the same event id for the receiver to deduplicate.
 */
export const deliveryJob = (deps: DeliveryDeps): JobDefinition<{ deliveryId: string }> => ({
  ...deliverWebhook,
  async handle(payload, { database, clock, job, signal, log, completeTogether }) {
    const { deliveryId } = payload
    const home = deps.databases.home.db
    const { delivery, endpoint } = await deliveryAndEndpoint(deps, database, deliveryId)
    if (delivery?.status !== 'pending') return
    const reason = unavailable(endpoint, delivery.event_type)
    if (reason || !endpoint) {
      await repo.updatePendingDelivery(database.db, delivery.id, {
        status: 'failed',
        last_error: reason,
        next_retry_at: null,
        updated_at: clock.now(),
      })
      return
    }

    const sentAt = clock.now()
    const headers = {
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      ...signatureHeaders(
        signingKeys(deps.sealingKey, endpoint, sentAt),
        delivery.event_id,
        sentAt,
        delivery.payload,
      ),
    }
    const result = await postWebhook(
      { url: endpoint.url, headers, body: delivery.payload },
      deps.sender,
      signal,
    )
    // Lease lost or worker stopping: the job goes back to the queue; this attempt is not recorded.
    if (signal.aborted) throw new Error('delivery interrupted')

    const now = clock.now()
    const verdict = verdictOf(result)
    const scheduled = verdict === 'retry' ? retryDelay(job.attempts) : undefined
    const delay =
      scheduled === undefined
        ? undefined
        : result.status === 429
          ? (parseRetryAfter(result.retryAfter, now) ?? scheduled)
          : scheduled
    const nextRetryAt = delay === undefined ? null : now + delay
    const status = verdict === 'success' ? 'success' : nextRetryAt === null ? 'failed' : 'pending'
    const error = result.error ?? (verdict === 'success' ? null : `HTTP ${result.status}`)

    const record = async (trx: Queryable) => {
      await repo.recordAttempt(
        database,
        trx,
        {
          id: newId('attempt'),
          delivery_id: delivery.id,
          event_id: delivery.event_id,
          endpoint_id: endpoint.id,
          client_id: delivery.client_id,
          attempt_number: delivery.attempts + 1,
          request_url: endpoint.url,
          request_headers: JSON.stringify(headers),
          response_status: result.status,
          response_body: result.responseBody,
          error_message: result.error,
          outcome: verdict === 'success' ? 'success' : 'failed',
          duration_ms: result.durationMs,
          next_retry_at: nextRetryAt,
          created_at: now,
        },
        {
          status,
          attempts: delivery.attempts + 1,
          last_status: result.status,
          last_error: error,
          next_retry_at: nextRetryAt,
          delivered_at: verdict === 'success' ? now : null,
          updated_at: now,
        },
      )
    }
    // Delivered: the job ends with the record of it, in one commit (shared with other deliveries
    // finishing at the same moment). Otherwise the record is written, and the job told when to retry.
    if (verdict === 'success') await completeTogether(record)
    else await database.db.transaction().execute(record)
    await recordEndpointHealth(home, endpoint, verdict, now)

    if (verdict === 'success') return
    log.warn({ deliveryId, endpointId: endpoint.id, status: result.status, error }, 'webhook attempt failed')
    if (nextRetryAt !== null) throw new RetryJobLaterError(error ?? 'failed', nextRetryAt - now)
    throw new PermanentJobError(error ?? 'failed')
  },
})

/**
 * Keeps the endpoint's health: 410 Gone disables it at once; otherwise an endpoint whose every attempt
 * has failed for FAILING_DISABLE_AFTER_MS is disabled, and says so, instead of being retried forever.
 * Only changes are written, so a healthy endpoint costs no write per delivery.
 */
const recordEndpointHealth = async (
  home: Queryable,
  endpoint: WebhookEndpointRow,
  verdict: ReturnType<typeof verdictOf>,
  now: number,
): Promise<void> => {
  if (verdict === 'success') {
    if (endpoint.failing_since !== null) await repo.updateEndpoint(home, endpoint.id, { failing_since: null })
    return
  }
  const failingSince = endpoint.failing_since ?? now
  const disabledReason =
    verdict === 'gone'
      ? 'The endpoint answered 410 Gone'
      : now - failingSince >= FAILING_DISABLE_AFTER_MS
        ? `Every delivery attempt failed since ${new Date(failingSince).toISOString()}`
        : undefined
  if (disabledReason) {
    await repo.updateEndpoint(home, endpoint.id, {
      status: 'disabled',
      disabled_reason: disabledReason,
      failing_since: failingSince,
      updated_at: now,
    })
  } else if (endpoint.failing_since === null) {
    await repo.updateEndpoint(home, endpoint.id, { failing_since: now })
  }
}
