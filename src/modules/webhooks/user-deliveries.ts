import type { Databases, RegionDatabase } from '../../db/database.ts'
import type { WebhookDeliveryStatus } from '../../db/schema.ts'
import { deliveriesOf, eventsAboutUser, listEndpoints } from './repo.ts'

export type UserWebhookEvent = {
  id: string
  type: string
  createdAt: number
  deliveries: {
    id: string
    endpointId: string
    /** The endpoint's URL, or null once the endpoint was deleted. */
    endpointUrl: string | null
    status: WebhookDeliveryStatus
    attempts: number
    /** The HTTP status of the last attempt (null: no answer, or not attempted yet). */
    lastStatus: number | null
    lastError: string | null
    deliveredAt: number | null
    nextRetryAt: number | null
  }[]
}

/**
 * The webhook events about a user (in the user's region, where they are written) with each delivery's
 * state, newest first: what the console's user page shows. Events older than the webhook log's
 * retention are gone (prune-job.ts).
 */
export const userWebhookEvents = async (
  databases: Pick<Databases, 'home'>,
  database: RegionDatabase,
  user: { clientId: string; userId: string },
  limit: number,
): Promise<UserWebhookEvent[]> => {
  const events = await eventsAboutUser(database.db, user, limit)
  if (events.length === 0) return []
  const [deliveries, endpoints] = await Promise.all([
    deliveriesOf(
      database.db,
      events.map((event) => event.id),
    ),
    listEndpoints(databases.home.db, user.clientId),
  ])
  const urlOf = new Map(endpoints.map((endpoint) => [endpoint.id, endpoint.url]))
  return events.map((event) => ({
    id: event.id,
    type: event.type,
    createdAt: event.created_at,
    deliveries: deliveries
      .filter((delivery) => delivery.event_id === event.id)
      .map((delivery) => ({
        id: delivery.id,
        endpointId: delivery.endpoint_id,
        endpointUrl: urlOf.get(delivery.endpoint_id) ?? null,
        status: delivery.status,
        attempts: delivery.attempts,
        lastStatus: delivery.last_status,
        lastError: delivery.last_error,
        deliveredAt: delivery.delivered_at,
        nextRetryAt: delivery.next_retry_at,
      })),
  }))
}
