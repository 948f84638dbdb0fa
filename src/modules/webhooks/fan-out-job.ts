import type { Databases } from '../../db/database.ts'
import type { JobDefinition } from '../../jobs/definitions.ts'
import { queueDelivery } from './delivery-job.ts'
import { subscribes } from './event-types.ts'
import { FAN_OUT_JOB } from './events.ts'
import * as repo from './repo.ts'

/**
 * Turns an event into one delivery (and one delivery job) per active endpoint subscribed to its type.
 * It runs as a job rather than inside the state change because endpoints live in the home database
 * while the event lives in the user's region: the state change's transaction can only write there.
 * One transaction marks the event dispatched and writes the deliveries, so a rerun after a crash
 * finds the event dispatched and does nothing.
 */
export const fanOutJob = (databases: Databases): JobDefinition => ({
  type: FAN_OUT_JOB,
  async handle(payload, { database, clock, log, completeWith }) {
    const { eventId } = payload as { eventId: string }
    const event = await repo.findEvent(database.db, eventId)
    if (!event || event.dispatched_at !== null) return
    const endpoints = (await repo.listEndpoints(databases.home.db, event.client_id)).filter(
      (endpoint) =>
        endpoint.status === 'active' && subscribes(JSON.parse(endpoint.event_types) as string[], event.type),
    )
    const now = clock.now()
    const created = await database.db.transaction().execute(async (trx) => {
      if (!(await repo.markDispatched(trx, event.id, now))) return 0
      for (const endpoint of endpoints)
        await queueDelivery(trx, clock, event.id, endpoint.id, event.client_id)
      await completeWith(trx)
      return endpoints.length
    })
    log.info({ eventId, eventType: event.type, deliveries: created }, 'webhook event fanned out')
  },
})
