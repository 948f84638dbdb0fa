import type { Transaction } from 'kysely'
import type { Databases, RegionDatabase } from '../../db/database.ts'
import type {
  AuditAction,
  DB,
  WebhookDeliveryRow,
  WebhookEndpointRow,
  WebhookEventRow,
} from '../../db/schema.ts'
import { type Clock, DAY_MS } from '../../lib/clock.ts'
import { AppError, type FieldProblem, throwIfProblems } from '../../lib/errors.ts'
import { newId, newUuid } from '../../lib/ids.ts'
import { type AuditActor, type AuditDetails, appendAudit } from '../audit/index.ts'
import type { Client, ClientScope } from '../clients/index.ts'
import { enqueueDeliveryJob, queueDelivery } from './delivery-job.ts'
import { sealEndpointKey } from './endpoint-keys.ts'
import { isValidPattern, TEST_EVENT_TYPE } from './event-types.ts'
import { urlProblem } from './outbound-guard.ts'
import * as repo from './repo.ts'
import { generateEndpointKey, keyLast4 } from './signing.ts'

export type WebhookDeps = {
  databases: Databases
  clock: Clock
  keys: { webhookKeys: Buffer; auditChain: Buffer }
  config: { isProduction: boolean; WEBHOOK_ALLOW_PRIVATE_NETWORKS: boolean }
}

/**
 * Every change to a webhook endpoint, and every event sent by hand (a test, a replay), is audited in
 * the transaction of the change: in the home database for endpoints (tenant configuration lives
 * there), in the event's region for events. The actor is the client's key or a console admin.
 */
const audited = (
  deps: WebhookDeps,
  database: RegionDatabase,
  trx: Transaction<DB>,
  actor: AuditActor,
  action: AuditAction,
  subject: { type: 'webhook' | 'webhook_event'; id: string },
  details: AuditDetails,
) => appendAudit(deps, database, trx, { actor, action, subject, details })

/** Baanx's limit, kept: each endpoint costs a request per event. */
const MAX_ENDPOINTS = 5
/** After a rotation the old key keeps signing beside the new one this long. */
const KEY_GRACE_MS = DAY_MS
const MAX_METADATA_BYTES = 4096

export type EndpointInput = {
  name?: string
  url?: string
  event_types?: string[]
  is_active?: boolean
  metadata?: Record<string, unknown>
}

const checkInput = (deps: WebhookDeps, client: Client, input: EndpointInput): void => {
  const problems: FieldProblem[] = []
  if (input.url !== undefined) {
    const problem = urlProblem(input.url, {
      // Live clients' events carry personal data: in production they travel over TLS only.
      requireHttps: deps.config.isProduction && client.mode === 'live',
      allowPrivateNetworks: deps.config.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
    })
    if (problem) problems.push({ field: 'url', message: problem })
  }
  for (const pattern of input.event_types ?? []) {
    if (!isValidPattern(pattern))
      problems.push({ field: 'event_types', message: `unknown event type or pattern "${pattern}"` })
  }
  if (input.metadata !== undefined && JSON.stringify(input.metadata).length > MAX_METADATA_BYTES)
    problems.push({ field: 'metadata', message: `must be at most ${MAX_METADATA_BYTES} bytes as JSON` })
  throwIfProblems(problems)
}

const notFound = () => new AppError('NOT_FOUND', { message: 'Webhook not found' })

export type EndpointWithKey = { endpoint: WebhookEndpointRow; key: string }

export const createEndpoint = async (
  deps: WebhookDeps,
  client: Client,
  input: Required<Pick<EndpointInput, 'name' | 'url' | 'event_types'>> & EndpointInput,
  actor: AuditActor,
): Promise<EndpointWithKey> => {
  checkInput(deps, client, input)
  const { home } = deps.databases
  const now = deps.clock.now()
  const id = newId('webhook')
  const key = generateEndpointKey()
  const row = {
    id,
    client_id: client.id,
    name: input.name,
    url: input.url,
    event_types: JSON.stringify([...new Set(input.event_types)]),
    metadata: JSON.stringify(input.metadata ?? {}),
    status: input.is_active ? ('active' as const) : ('inactive' as const),
    disabled_reason: null,
    key_sealed: sealEndpointKey(deps.keys.webhookKeys, id, key),
    key_last4: keyLast4(key),
    previous_key_sealed: null,
    previous_key_expires_at: null,
    failing_since: null,
    created_at: now,
    updated_at: now,
  }
  // Endpoints are tenant configuration: they live in the home database, like the client.
  await home.db.transaction().execute(async (trx) => {
    await repo.lockClient(home, trx, client.id)
    if ((await repo.countEndpoints(trx, client.id)) >= MAX_ENDPOINTS)
      throw new AppError('WEBHOOK_LIMIT_REACHED')
    await repo.insertEndpoint(trx, row)
    await audited(deps, home, trx, actor, 'webhook.create', { type: 'webhook', id }, { clientId: client.id })
  })
  return { endpoint: row, key }
}

export const listEndpoints = (deps: WebhookDeps, client: Client) =>
  repo.listEndpoints(deps.databases.home.db, client.id)

export const getEndpoint = async (deps: WebhookDeps, client: Client, id: string) => {
  const endpoint = await repo.findEndpoint(deps.databases.home.db, id, client.id)
  if (!endpoint) throw notFound()
  return endpoint
}

/** Changes the fields given; is_active (true or false) takes an endpoint out of `disabled`. */
export const updateEndpoint = async (
  deps: WebhookDeps,
  client: Client,
  id: string,
  input: EndpointInput,
  actor: AuditActor,
): Promise<WebhookEndpointRow> => {
  checkInput(deps, client, input)
  const { home } = deps.databases
  await home.db.transaction().execute(async (trx) => {
    // Read under the lock: the delivery worker may disable the endpoint meanwhile, and what a resume
    // clears must be what is there now.
    const endpoint = await repo.lockEndpoint(home, trx, id, client.id)
    if (!endpoint) throw notFound()
    const status =
      input.is_active === undefined
        ? endpoint.status
        : input.is_active
          ? ('active' as const)
          : ('inactive' as const)
    const resumed = endpoint.status === 'disabled' && status !== 'disabled'
    await repo.updateEndpoint(trx, endpoint.id, {
      ...(input.name === undefined ? {} : { name: input.name }),
      ...(input.url === undefined ? {} : { url: input.url }),
      ...(input.event_types === undefined
        ? {}
        : { event_types: JSON.stringify([...new Set(input.event_types)]) }),
      ...(input.metadata === undefined ? {} : { metadata: JSON.stringify(input.metadata) }),
      status,
      // Resuming a disabled endpoint, or pointing it elsewhere, starts its failure record afresh.
      ...(resumed ? { disabled_reason: null } : {}),
      ...(resumed || input.url !== undefined ? { failing_since: null } : {}),
      updated_at: deps.clock.now(),
    })
    await audited(
      deps,
      home,
      trx,
      actor,
      'webhook.update',
      { type: 'webhook', id: endpoint.id },
      {
        clientId: client.id,
        fields: Object.keys(input)
          .filter((field) => input[field as keyof EndpointInput] !== undefined)
          .sort(),
        status,
      },
    )
  })
  return getEndpoint(deps, client, id)
}

export const deleteEndpoint = async (
  deps: WebhookDeps,
  client: Client,
  id: string,
  actor: AuditActor,
): Promise<void> => {
  const { home } = deps.databases
  await home.db.transaction().execute(async (trx) => {
    if (!(await repo.deleteEndpoint(trx, id, client.id))) throw notFound()
    await audited(deps, home, trx, actor, 'webhook.delete', { type: 'webhook', id }, { clientId: client.id })
  })
}

/** A new key; the previous one keeps signing beside it for KEY_GRACE_MS so receivers can switch over. */
export const rotateKey = async (
  deps: WebhookDeps,
  client: Client,
  id: string,
  actor: AuditActor,
): Promise<EndpointWithKey> => {
  const endpoint = await getEndpoint(deps, client, id)
  const now = deps.clock.now()
  const key = generateEndpointKey()
  const { home } = deps.databases
  await home.db.transaction().execute(async (trx) => {
    await repo.updateEndpoint(trx, endpoint.id, {
      key_sealed: sealEndpointKey(deps.keys.webhookKeys, endpoint.id, key),
      key_last4: keyLast4(key),
      previous_key_sealed: endpoint.key_sealed,
      previous_key_expires_at: now + KEY_GRACE_MS,
      updated_at: now,
    })
    await audited(
      deps,
      home,
      trx,
      actor,
      'webhook.rotate_key',
      { type: 'webhook', id: endpoint.id },
      { clientId: client.id },
    )
  })
  return { endpoint: await getEndpoint(deps, client, id), key }
}

// ---- events and logs: in the region database the request is routed to ----------------------------

export const EVENT_STATUSES = ['pending', 'delivered', 'failed', 'no_endpoints'] as const
type EventStatus = (typeof EVENT_STATUSES)[number]

/** Derived from the deliveries, so it can never disagree with them. */
export const eventStatus = (deliveries: readonly WebhookDeliveryRow[]): EventStatus => {
  if (deliveries.length === 0) return 'no_endpoints'
  if (deliveries.some((delivery) => delivery.status === 'pending')) return 'pending'
  return deliveries.every((delivery) => delivery.status === 'success') ? 'delivered' : 'failed'
}

export type EventWithDeliveries = { event: WebhookEventRow; deliveries: WebhookDeliveryRow[] }

export const listEvents = async (scope: ClientScope, limit: number): Promise<EventWithDeliveries[]> => {
  const events = await repo.listEvents(scope.database.db, scope.client.id, limit)
  const deliveries = await repo.deliveriesOf(
    scope.database.db,
    events.map((event) => event.id),
  )
  return events.map((event) => ({
    event,
    deliveries: deliveries.filter((delivery) => delivery.event_id === event.id),
  }))
}

const findEventFor = async (scope: ClientScope, eventId: string) => {
  const event = await repo.findEvent(scope.database.db, eventId, scope.client.id)
  if (!event) throw new AppError('NOT_FOUND', { message: 'Event not found' })
  return event
}

export const getEventWithDeliveries = async (
  scope: ClientScope,
  eventId: string,
): Promise<EventWithDeliveries> => {
  const event = await findEventFor(scope, eventId)
  return { event, deliveries: await repo.deliveriesOf(scope.database.db, [event.id]) }
}

export const endpointLogs = async (
  deps: WebhookDeps,
  scope: ClientScope,
  endpointId: string,
  limit: number,
) => {
  await getEndpoint(deps, scope.client, endpointId)
  return repo.listAttempts(scope.database.db, scope.client.id, { endpointId }, limit)
}

export const eventLogs = async (scope: ClientScope, eventId: string, limit: number) => {
  await findEventFor(scope, eventId)
  return repo.listAttempts(scope.database.db, scope.client.id, { eventId }, limit)
}

/**
 * Sends an event again to every endpoint whose delivery has finished (delivered or failed) and that
 * still takes deliveries: a replay for a receiver that lost data, or a retry after fixing it.
 */
export const retryEvent = async (
  deps: WebhookDeps,
  scope: ClientScope,
  eventId: string,
  actor: AuditActor,
): Promise<EventWithDeliveries> => {
  const { event, deliveries } = await getEventWithDeliveries(scope, eventId)
  const endpoints = new Map(
    (await repo.listEndpoints(deps.databases.home.db, scope.client.id)).map((endpoint) => [
      endpoint.id,
      endpoint,
    ]),
  )
  const retryable = deliveries.filter((delivery) => {
    const endpoint = endpoints.get(delivery.endpoint_id)
    return (
      delivery.status !== 'pending' &&
      (endpoint?.status === 'active' || (endpoint?.status === 'inactive' && event.type === TEST_EVENT_TYPE))
    )
  })
  if (retryable.length === 0) throw new AppError('NOTHING_TO_RETRY')
  await scope.database.db.transaction().execute(async (trx) => {
    const reopened: string[] = []
    for (const delivery of retryable) {
      if (await repo.reopenDelivery(trx, delivery.id, deps.clock.now())) {
        await enqueueDeliveryJob(trx, deps.clock, delivery.id)
        reopened.push(delivery.endpoint_id)
      }
    }
    // Another replay reopened them first: this one did nothing, and records nothing.
    if (reopened.length === 0) throw new AppError('NOTHING_TO_RETRY')
    await audited(
      deps,
      scope.database,
      trx,
      actor,
      'webhook.replay',
      { type: 'webhook_event', id: event.id },
      { clientId: scope.client.id, endpoints: reopened.sort() },
    )
  })
  return getEventWithDeliveries(scope, eventId)
}

/** A `webhook.test` event to this endpoint only (active or not), through the normal delivery path. */
export const sendTestEvent = async (
  deps: WebhookDeps,
  scope: ClientScope,
  endpointId: string,
  actor: AuditActor,
) => {
  const endpoint = await getEndpoint(deps, scope.client, endpointId)
  if (endpoint.status === 'disabled')
    throw new AppError('CONFLICT', { message: `Webhook is disabled: ${endpoint.disabled_reason}` })
  const now = deps.clock.now()
  const id = newUuid()
  const payload = {
    api_version: 'v1',
    event_id: id,
    event_category: 'webhook',
    event_type: TEST_EVENT_TYPE,
    event_object_id: endpoint.id,
    event_object: { message: 'This is a test event sent from the webhook settings.' },
    occurred_at: new Date(now).toISOString(),
  }
  await scope.database.db.transaction().execute(async (trx) => {
    await repo.insertEvents(trx, [
      {
        id,
        client_id: scope.client.id,
        user_id: null,
        type: TEST_EVENT_TYPE,
        payload: JSON.stringify(payload),
        created_at: now,
        dispatched_at: now,
      },
    ])
    await queueDelivery(trx, deps.clock, id, endpoint.id, scope.client.id)
    await audited(
      deps,
      scope.database,
      trx,
      actor,
      'webhook.test',
      { type: 'webhook_event', id },
      { clientId: scope.client.id, endpointId: endpoint.id },
    )
  })
  return getEventWithDeliveries(scope, id)
}
