/** The webhooks module's face: routes, the state-change subscriber and the jobs it runs. */
export { deliveryJob } from './delivery-job.ts'
export { recordWebhookEvents } from './events.ts'
export {
  ATTEMPT_LOG_RETENTION_MS,
  EVENT_RETENTION_MS,
  pruneWebhooksJob,
  pruneWebhooksSchedule,
} from './prune-job.ts'
export { RETRY_DELAYS_MS } from './retry-schedule.ts'
export {
  // The named schemas of the routes, for the OpenAPI document's components (http/openapi.ts).
  WebhookAttemptSchema,
  WebhookDeliverySchema,
  WebhookEndpointSchema,
  WebhookEndpointWithKeySchema,
  WebhookEventSchema,
  WebhookEventStatusSchema,
  webhookRoutes,
} from './routes.ts'
export {
  createEndpoint,
  endpointLogs,
  eventStatus,
  listEndpoints,
  listEvents,
  retryEvent,
  sendTestEvent,
  updateEndpoint,
} from './service.ts'
export { userWebhookEvents } from './user-deliveries.ts'
