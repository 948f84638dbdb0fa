import type { Databases, Queryable } from '../../db/database.ts'
import type { VerificationState, WebhookEventTable } from '../../db/schema.ts'
import { type Clock, isoTime } from '../../lib/clock.ts'
import { newUuid } from '../../lib/ids.ts'
import type { StateChanged, VerificationSubscriber } from '../verification/index.ts'
import { queueDelivery } from './delivery-job.ts'
import { subscribes } from './event-types.ts'
import { insertEvents, listEndpoints } from './repo.ts'

/**
 * Baanx's KYC statuses. UNVERIFIED (never submitted, or a submission whose images were unusable) is
 * `unverified`: folding it into `failed` would make a retryable resubmission look like a rejection;
 * the failure code (2xx = resubmission requested) still says why.
 */
const KYC_STATUS: Record<VerificationState, string> = {
  UNVERIFIED: 'unverified',
  PENDING: 'pending',
  VERIFIED: 'completed',
  REJECTED: 'failed',
}

export type StateChangeFacts = Pick<StateChanged, 'user' | 'from' | 'to' | 'version' | 'reasons' | 'at'>

export const kycStatusChanged = (eventId: string, facts: StateChangeFacts) => {
  const status = KYC_STATUS[facts.to]
  const failure = facts.to === 'REJECTED' || facts.to === 'UNVERIFIED' ? facts.reasons[0] : undefined
  return {
    api_version: 'v1',
    event_id: eventId,
    event_category: 'kyc',
    event_type: 'kyc.status.changed',
    user_id: facts.user.id,
    ...(facts.user.external_id ? { user_external_id: facts.user.external_id } : {}),
    event_object_id: facts.user.id,
    event_object_status: status,
    event_object_changes: { status: [KYC_STATUS[facts.from], status] },
    event_object: {
      status,
      failure_code: failure?.failureCode ?? null,
      failure_reason: failure?.message ?? null,
    },
    occurred_at: isoTime(facts.at),
  }
}

export const verificationCompleted = (eventId: string, facts: StateChangeFacts) => ({
  event: 'user.verification.completed',
  eventId,
  userId: facts.user.id,
  verificationState: facts.to,
  previousState: facts.from,
  stateVersion: facts.version,
  reasons: facts.reasons.map(({ code, category, retryable, failureCode, message }) => ({
    code,
    category,
    retryable,
    failureCode,
    message,
  })),
  timestamp: isoTime(facts.at),
})

/**
 * Writes the events of one verificationState change, with one delivery (and its job) per active endpoint
 * subscribed to each, through the caller's transaction: they exist if and only if the change commits,
 * and no further job stands between the change and the first attempt.
 * `kyc.status.changed` fires on every change; `user.verification.completed` only when a decision lands
 * (VERIFIED or REJECTED), which is what "completed" means to a receiver.
 */
const recordStateChangeEvents = async (
  db: Queryable,
  clock: Clock,
  facts: StateChangeFacts,
  readEndpoints: (clientId: string) => ReturnType<typeof listEndpoints>,
): Promise<void> => {
  const payloads: Array<{ id: string; type: string; body: unknown }> = []
  const kycId = newUuid()
  payloads.push({ id: kycId, type: 'kyc.status.changed', body: kycStatusChanged(kycId, facts) })
  if (facts.to === 'VERIFIED' || facts.to === 'REJECTED') {
    const completedId = newUuid()
    payloads.push({
      id: completedId,
      type: 'user.verification.completed',
      body: verificationCompleted(completedId, facts),
    })
  }
  const rows: WebhookEventTable[] = payloads.map(({ id, type, body }) => ({
    id,
    client_id: facts.user.client_id,
    user_id: facts.user.id,
    type,
    payload: JSON.stringify(body),
    created_at: facts.at,
    dispatched_at: facts.at,
  }))
  await insertEvents(db, rows)
  const active = (await readEndpoints(facts.user.client_id)).filter(
    (endpoint) => endpoint.status === 'active',
  )
  for (const row of rows) {
    for (const endpoint of active) {
      if (subscribes(JSON.parse(endpoint.event_types) as string[], row.type))
        await queueDelivery(db, clock, row.id, endpoint.id, row.client_id)
    }
  }
}

/**
 * The webhooks' subscription to verificationState changes (registered in src/runtime.ts). Endpoints live
 * with the client in the home database: when the user's region is the home database the change's own
 * transaction reads them (on SQLite a second connection to the same file would wait for that
 * transaction forever); otherwise the home database is read directly.
 */
export const recordWebhookEvents =
  (databases: Databases, clock: Clock): VerificationSubscriber =>
  async (trx, change) => {
    if (change.kind !== 'state-changed') return
    const home = change.database.region === databases.home.region ? trx : databases.home.db
    await recordStateChangeEvents(trx, clock, change, (clientId) => listEndpoints(home, clientId))
  }
