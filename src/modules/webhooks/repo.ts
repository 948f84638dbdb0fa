import { isPostgres, type Queryable, type RegionDatabase } from '../../db/database.ts'
import { preparedQuery, rowFrom, valuesOf } from '../../db/prepared.ts'
import { lockedRows } from '../../db/row-locks.ts'
import {
  allColumns,
  type WebhookAttemptRow,
  type WebhookAttemptTable,
  type WebhookDeliveryRow,
  type WebhookDeliveryTable,
  type WebhookEndpointRow,
  type WebhookEndpointTable,
  type WebhookEventRow,
  type WebhookEventTable,
} from '../../db/schema.ts'

// ---- endpoints (home database) ----------------------------------------------------------------------

export const insertEndpoint = async (db: Queryable, row: WebhookEndpointTable): Promise<void> => {
  await db.insertInto('webhook_endpoint').values(row).execute()
}

/**
 * Locks the client's row for the rest of the transaction (PostgreSQL; SQLite transactions are already
 * serialized), so that two concurrent creations cannot both pass the endpoint limit.
 */
export const lockClient = async (
  database: RegionDatabase,
  db: Queryable,
  clientId: string,
): Promise<void> => {
  await db
    .selectFrom('client')
    .select('id')
    .where('id', '=', clientId)
    .$call(lockedRows(database))
    .executeTakeFirst()
}

export const countEndpoints = async (db: Queryable, clientId: string): Promise<number> =>
  Number(
    (
      await db
        .selectFrom('webhook_endpoint')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('client_id', '=', clientId)
        .executeTakeFirstOrThrow()
    ).count,
  )

export const listEndpoints = (db: Queryable, clientId: string): Promise<WebhookEndpointRow[]> =>
  db
    .selectFrom('webhook_endpoint')
    .selectAll()
    .where('client_id', '=', clientId)
    .orderBy('created_at')
    .orderBy('id')
    .execute()

/** By id alone for the worker; with the client for everything a client asks (another's is not found). */
export const findEndpoint = (
  db: Queryable,
  id: string,
  clientId?: string,
): Promise<WebhookEndpointRow | undefined> =>
  db
    .selectFrom('webhook_endpoint')
    .selectAll()
    .where('id', '=', id)
    .$if(clientId !== undefined, (query) => query.where('client_id', '=', clientId as string))
    .executeTakeFirst()

/** The client's endpoint, locked for the rest of the transaction (a change decided on what it reads). */
export const lockEndpoint = (
  database: RegionDatabase,
  trx: Queryable,
  id: string,
  clientId: string,
): Promise<WebhookEndpointRow | undefined> =>
  trx
    .selectFrom('webhook_endpoint')
    .selectAll()
    .where('id', '=', id)
    .where('client_id', '=', clientId)
    .$call(lockedRows(database))
    .executeTakeFirst()

/** An endpoint the worker may deliver to: it exists and its client is active (a disabled client receives nothing). */
export const deliverableEndpoint = (db: Queryable, id: string): Promise<WebhookEndpointRow | undefined> =>
  db
    .selectFrom('webhook_endpoint')
    .innerJoin('client', 'client.id', 'webhook_endpoint.client_id')
    .selectAll('webhook_endpoint')
    .where('webhook_endpoint.id', '=', id)
    .where('client.status', '=', 'active')
    .executeTakeFirst()

export const updateEndpoint = async (
  db: Queryable,
  id: string,
  changes: Partial<WebhookEndpointTable>,
): Promise<boolean> => {
  const result = await db.updateTable('webhook_endpoint').set(changes).where('id', '=', id).executeTakeFirst()
  return result.numUpdatedRows === 1n
}

export const deleteEndpoint = async (db: Queryable, id: string, clientId: string): Promise<boolean> => {
  const result = await db
    .deleteFrom('webhook_endpoint')
    .where('id', '=', id)
    .where('client_id', '=', clientId)
    .executeTakeFirst()
  return result.numDeletedRows === 1n
}

// ---- events, deliveries, attempts (region databases) ------------------------------------------------

export const insertEvents = async (db: Queryable, rows: WebhookEventTable[]): Promise<void> => {
  if (rows.length > 0) await db.insertInto('webhook_event').values(rows).execute()
}

export const findEvent = (
  db: Queryable,
  id: string,
  clientId?: string,
): Promise<WebhookEventRow | undefined> =>
  db
    .selectFrom('webhook_event')
    .selectAll()
    .where('id', '=', id)
    .$if(clientId !== undefined, (query) => query.where('client_id', '=', clientId as string))
    .executeTakeFirst()

export const listEvents = (db: Queryable, clientId: string, limit: number): Promise<WebhookEventRow[]> =>
  db
    .selectFrom('webhook_event')
    .selectAll()
    .where('client_id', '=', clientId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()

/** The events about one user, newest first (the console's user page), within the user's client. */
export const eventsAboutUser = (
  db: Queryable,
  by: { clientId: string; userId: string },
  limit: number,
): Promise<WebhookEventRow[]> =>
  db
    .selectFrom('webhook_event')
    .selectAll()
    .where('user_id', '=', by.userId)
    .where('client_id', '=', by.clientId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()

export const insertDelivery = async (db: Queryable, row: WebhookDeliveryTable): Promise<void> => {
  await db.insertInto('webhook_delivery').values(row).execute()
}

export const deliveriesOf = (db: Queryable, eventIds: readonly string[]): Promise<WebhookDeliveryRow[]> =>
  eventIds.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('webhook_delivery')
        .selectAll()
        .where('event_id', 'in', eventIds)
        .orderBy('created_at')
        .orderBy('id')
        .execute()

export const findDeliveryWithEvent = (db: Queryable, id: string) =>
  db
    .selectFrom('webhook_delivery')
    .innerJoin('webhook_event', 'webhook_event.id', 'webhook_delivery.event_id')
    .selectAll('webhook_delivery')
    .select(['webhook_event.type as event_type', 'webhook_event.payload'])
    .where('webhook_delivery.id', '=', id)
    .executeTakeFirst()

const ENDPOINT_COLUMNS = allColumns<WebhookEndpointTable>({
  id: true,
  client_id: true,
  name: true,
  url: true,
  event_types: true,
  metadata: true,
  status: true,
  disabled_reason: true,
  key_sealed: true,
  key_last4: true,
  previous_key_sealed: true,
  previous_key_expires_at: true,
  failing_since: true,
  created_at: true,
  updated_at: true,
})

type DeliveryWithEvent = NonNullable<Awaited<ReturnType<typeof findDeliveryWithEvent>>>

const DELIVERY_COLUMNS = allColumns<WebhookDeliveryTable>({
  id: true,
  event_id: true,
  endpoint_id: true,
  client_id: true,
  status: true,
  attempts: true,
  last_status: true,
  last_error: true,
  next_retry_at: true,
  delivered_at: true,
  created_at: true,
  updated_at: true,
})

// Prepared (db/prepared.ts): every delivery attempt reads it, so it names its columns.
const deliveryWithEndpoint = preparedQuery((db: Queryable, id: string) =>
  db
    .selectFrom('webhook_delivery')
    .innerJoin('webhook_event', 'webhook_event.id', 'webhook_delivery.event_id')
    .leftJoin('webhook_endpoint', 'webhook_endpoint.id', 'webhook_delivery.endpoint_id')
    .leftJoin('client', (join) =>
      join.onRef('client.id', '=', 'webhook_endpoint.client_id').on('client.status', '=', 'active'),
    )
    .select(DELIVERY_COLUMNS.map((column) => `webhook_delivery.${column}` as const))
    .select(['webhook_event.type as event_type', 'webhook_event.payload', 'client.id as active_client_id'])
    .select((eb) =>
      ENDPOINT_COLUMNS.map((column) => eb.ref(`webhook_endpoint.${column}`).as(`endpoint_${column}`)),
    )
    .where('webhook_delivery.id', '=', id),
)

/**
 * findDeliveryWithEvent and deliverableEndpoint in one read, for a delivery kept in the home database
 * beside its endpoint (the worker's hot path: one statement fewer per delivery).
 */
export const findDeliveryWithEndpoint = async (
  db: Queryable,
  id: string,
): Promise<{ delivery: DeliveryWithEvent; endpoint: WebhookEndpointRow | undefined } | undefined> => {
  const row = (await deliveryWithEndpoint.first(db, id)) as
    | (DeliveryWithEvent & { active_client_id: string | null } & Record<string, unknown>)
    | undefined
  if (!row) return undefined
  return {
    delivery: row,
    // A deleted endpoint, or one whose client is not active: none to deliver to (as deliverableEndpoint).
    endpoint:
      row.active_client_id === null
        ? undefined
        : (Object.fromEntries(
            ENDPOINT_COLUMNS.map((column) => [column, row[`endpoint_${column}`]]),
          ) as WebhookEndpointRow),
  }
}

/** Moves a delivery on, only from `pending` (a decided delivery is never reopened by a late worker). */
export const updatePendingDelivery = async (
  db: Queryable,
  id: string,
  changes: Partial<WebhookDeliveryTable>,
): Promise<boolean> => {
  const result = await db
    .updateTable('webhook_delivery')
    .set(changes)
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst()
  return result.numUpdatedRows === 1n
}

/** Reopens a decided delivery for a retry asked for by the client. */
export const reopenDelivery = async (db: Queryable, id: string, now: number): Promise<boolean> => {
  const result = await db
    .updateTable('webhook_delivery')
    .set({ status: 'pending', next_retry_at: now, updated_at: now })
    .where('id', '=', id)
    .where('status', '!=', 'pending')
    .executeTakeFirst()
  return result.numUpdatedRows === 1n
}

const ATTEMPT_COLUMNS = allColumns<WebhookAttemptTable>({
  id: true,
  delivery_id: true,
  event_id: true,
  endpoint_id: true,
  client_id: true,
  attempt_number: true,
  request_url: true,
  request_headers: true,
  response_status: true,
  response_body: true,
  error_message: true,
  outcome: true,
  duration_ms: true,
  next_retry_at: true,
  created_at: true,
})

const PROGRESS_COLUMNS = [
  'status',
  'attempts',
  'last_status',
  'last_error',
  'next_retry_at',
  'delivered_at',
  'updated_at',
] as const satisfies readonly (keyof WebhookDeliveryTable)[]

/** What an attempt changes on its delivery. */
export type DeliveryProgress = Pick<WebhookDeliveryTable, (typeof PROGRESS_COLUMNS)[number]>

// Prepared (db/prepared.ts), as every delivery attempt writes them: the values in column order.
const insertAttemptRow = preparedQuery((db: Queryable, ...values: unknown[]) =>
  db.insertInto('webhook_attempt').values(rowFrom(ATTEMPT_COLUMNS, values) as WebhookAttemptTable),
)
const progressPendingDelivery = preparedQuery((db: Queryable, id: string, ...values: unknown[]) =>
  db
    .updateTable('webhook_delivery')
    .set(rowFrom(PROGRESS_COLUMNS, values) as DeliveryProgress)
    .where('id', '=', id)
    .where('status', '=', 'pending'),
)
const recordAttemptInOne = preparedQuery((db: Queryable, id: string, ...values: unknown[]) =>
  db
    .with('attempt', (query) =>
      query
        .insertInto('webhook_attempt')
        .values(rowFrom(ATTEMPT_COLUMNS, values.slice(0, ATTEMPT_COLUMNS.length)) as WebhookAttemptTable),
    )
    .updateTable('webhook_delivery')
    .set(rowFrom(PROGRESS_COLUMNS, values.slice(ATTEMPT_COLUMNS.length)) as DeliveryProgress)
    .where('id', '=', id)
    .where('status', '=', 'pending'),
)

/**
 * Logs an attempt and moves its delivery on (only from `pending`, as updatePendingDelivery): in one
 * statement on PostgreSQL (a data-modifying CTE: one round trip fewer per delivery), in two on SQLite,
 * which has no such CTE and no round trips to save.
 */
export const recordAttempt = async (
  database: Pick<RegionDatabase, 'dialect'>,
  db: Queryable,
  attempt: WebhookAttemptTable,
  progress: DeliveryProgress,
): Promise<void> => {
  const attemptValues = valuesOf(ATTEMPT_COLUMNS, attempt)
  const progressValues = valuesOf(PROGRESS_COLUMNS, progress)
  if (!isPostgres(database)) {
    await insertAttemptRow.all(db, ...attemptValues)
    await progressPendingDelivery.all(db, attempt.delivery_id, ...progressValues)
    return
  }
  await recordAttemptInOne.all(db, attempt.delivery_id, ...attemptValues, ...progressValues)
}

export const listAttempts = (
  db: Queryable,
  clientId: string,
  by: { endpointId: string } | { eventId: string },
  limit: number,
): Promise<Array<WebhookAttemptRow & { payload: string }>> =>
  db
    .selectFrom('webhook_attempt')
    .innerJoin('webhook_event', 'webhook_event.id', 'webhook_attempt.event_id')
    .selectAll('webhook_attempt')
    .select('webhook_event.payload')
    .where('webhook_attempt.client_id', '=', clientId)
    .$if('endpointId' in by, (query) =>
      query.where('webhook_attempt.endpoint_id', '=', (by as { endpointId: string }).endpointId),
    )
    .$if('eventId' in by, (query) =>
      query.where('webhook_attempt.event_id', '=', (by as { eventId: string }).eventId),
    )
    .orderBy('webhook_attempt.created_at', 'desc')
    .orderBy('webhook_attempt.id', 'desc')
    .limit(limit)
    .execute()

/** Retention: attempt logs after 7 days, events (with their deliveries) after 30. */
export const pruneWebhookData = async (
  db: Queryable,
  cutoffs: { attemptsBefore: number; eventsBefore: number },
): Promise<{ attempts: number; events: number }> => {
  const attempts = await db
    .deleteFrom('webhook_attempt')
    .where('created_at', '<', cutoffs.attemptsBefore)
    .executeTakeFirst()
  // Deliveries and their attempts go with their event (ON DELETE CASCADE).
  const events = await db
    .deleteFrom('webhook_event')
    .where('created_at', '<', cutoffs.eventsBefore)
    .executeTakeFirst()
  return { attempts: Number(attempts.numDeletedRows), events: Number(events.numDeletedRows) }
}
