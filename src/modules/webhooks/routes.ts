import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { type TSchema, Type } from 'typebox'
import {
  WEBHOOK_ATTEMPT_OUTCOMES,
  WEBHOOK_DELIVERY_STATUSES,
  WEBHOOK_ENDPOINT_STATUSES,
  type WebhookAttemptRow,
  type WebhookDeliveryRow,
  type WebhookEndpointRow,
} from '../../db/schema.ts'
import {
  clientErrorResponses,
  errorResponse,
  NullableString,
  RegionHeaders,
  RegionQuery,
  ref,
  StringEnum,
  SuccessBody,
} from '../../http/schemas.ts'
import { clientScope } from '../../http/scope.ts'
import { isoTime } from '../../lib/clock.ts'
import { EVENT_TYPES, TEST_EVENT_TYPE } from './event-types.ts'
import * as service from './service.ts'
import { EVENT_STATUSES, type EventWithDeliveries, eventStatus, type WebhookDeps } from './service.ts'
import { maskKey, standardWebhooksSecret } from './signing.ts'

const NullableInteger = (description?: string) =>
  Type.Unsafe<number | null>({ type: ['integer', 'null'], ...(description ? { description } : {}) })

const Metadata = Type.Record(Type.String(), Type.Unknown(), {
  description: 'Free-form, at most 4 KB as JSON.',
})
// A string, not an enum: new event types will be added, and an SDK must not reject an event it does not know.
const EventType = Type.String({ description: `One of ${[...EVENT_TYPES, TEST_EVENT_TYPE].join(', ')}.` })
const patternsDescription = `Exact types (${EVENT_TYPES.join(', ')}), a category wildcard (kyc.*, user.*) or *.`

export const WebhookEndpointSchema = Type.Object(
  {
    id: Type.String(),
    tenant: Type.String({ description: 'The client id.' }),
    name: Type.String(),
    url: Type.String(),
    apiKey: Type.String({
      description: 'Signing key: in full only when created or rotated, masked elsewhere.',
    }),
    eventTypes: Type.Array(Type.String()),
    isActive: Type.Boolean(),
    status: StringEnum(WEBHOOK_ENDPOINT_STATUSES, {
      description: 'disabled: switched off by the server (see disabledReason); set isActive to resume.',
    }),
    disabledReason: NullableString(),
    metadata: Metadata,
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'WebhookEndpoint' },
)

export const WebhookEndpointWithKeySchema = Type.Object(
  {
    ...WebhookEndpointSchema.properties,
    standardWebhooksSecret: Type.String({
      description: 'The same key for Standard Webhooks libraries: whsec_ + base64 of the apiKey bytes.',
    }),
    previousKeyExpiresAt: NullableString({
      format: 'date-time',
      description:
        'Until then the previous key signs too (X-Signature-Previous, a second webhook-signature).',
    }),
  },
  { $id: 'WebhookEndpointWithKey', description: 'A webhook endpoint with its signing key in full.' },
)

export const WebhookAttemptSchema = Type.Object(
  {
    id: Type.String(),
    eventId: Type.String(),
    webhookId: Type.String(),
    attemptNumber: Type.Integer(),
    requestUrl: Type.String(),
    requestHeaders: Type.Record(Type.String(), Type.String()),
    requestBody: Type.String({ description: 'The exact bytes sent and signed.' }),
    responseStatus: NullableInteger('null when no answer came (timeout, network error, refused target).'),
    responseBody: NullableString({ description: 'At most the first 4 KB.' }),
    errorMessage: NullableString(),
    deliveryStatus: StringEnum(WEBHOOK_ATTEMPT_OUTCOMES),
    durationMs: Type.Integer(),
    createdAt: Type.String({ format: 'date-time' }),
    nextRetryAt: NullableString({ format: 'date-time' }),
  },
  { $id: 'WebhookAttempt' },
)

const EventStatusValue = StringEnum(EVENT_STATUSES, {
  description: 'Derived from the deliveries: pending while any is, delivered when all succeeded.',
})

export const WebhookEventSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    eventId: Type.String({ format: 'uuid' }),
    tenant: Type.String(),
    eventType: EventType,
    payload: Type.Unknown({ description: 'The body delivered.' }),
    userId: NullableString(),
    sourceService: Type.String(),
    status: EventStatusValue,
    createdAt: Type.String({ format: 'date-time' }),
    queuedAt: Type.String({ format: 'date-time' }),
    processedAt: NullableString({
      format: 'date-time',
      description: 'When its deliveries were created (with the event).',
    }),
  },
  { $id: 'WebhookEvent' },
)

export const WebhookDeliverySchema = Type.Object(
  {
    id: Type.String(),
    webhookId: Type.String(),
    status: StringEnum(WEBHOOK_DELIVERY_STATUSES),
    attempts: Type.Integer(),
    lastResponseStatus: NullableInteger(),
    lastError: NullableString(),
    nextRetryAt: NullableString({ format: 'date-time' }),
    deliveredAt: NullableString({ format: 'date-time' }),
  },
  { $id: 'WebhookDelivery' },
)

export const WebhookEventStatusSchema = Type.Object(
  {
    eventId: Type.String(),
    eventType: EventType,
    status: EventStatusValue,
    deliveries: Type.Array(ref(WebhookDeliverySchema)),
  },
  { $id: 'WebhookEventStatus' },
)

const envelope = <T extends TSchema>(data: T) => Type.Object({ success: Type.Literal(true), data })
const Logs = envelope(Type.Object({ count: Type.Integer(), logs: Type.Array(ref(WebhookAttemptSchema)) }))

const EndpointFields = {
  name: Type.String({ minLength: 1, maxLength: 255 }),
  url: Type.String({
    minLength: 1,
    maxLength: 2048,
    description: 'https (http allowed outside production).',
  }),
  event_types: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
    minItems: 1,
    maxItems: 20,
    description: patternsDescription,
  }),
  is_active: Type.Boolean({ description: 'Default false, as in the Baanx contract.' }),
  metadata: Metadata,
}

const CreateBody = Type.Object({
  name: EndpointFields.name,
  url: EndpointFields.url,
  event_types: EndpointFields.event_types,
  is_active: Type.Optional(EndpointFields.is_active),
  metadata: Type.Optional(EndpointFields.metadata),
})
const UpdateBody = Type.Partial(Type.Object(EndpointFields), { minProperties: 1 })

const Id = Type.Object({ id: Type.String({ maxLength: 64 }) })
const EventIdParams = Type.Object({ eventId: Type.String({ maxLength: 64 }) })
const LimitQuery = Type.Object({
  ...RegionQuery.properties,
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
})

const Headers = Type.Object({
  ...RegionHeaders.properties,
  'x-secret-key': Type.Optional(Type.String({ description: "The client's secret key (required)." })),
})

const present = (endpoint: WebhookEndpointRow) => ({
  id: endpoint.id,
  tenant: endpoint.client_id,
  name: endpoint.name,
  url: endpoint.url,
  apiKey: maskKey(endpoint.key_last4),
  eventTypes: JSON.parse(endpoint.event_types) as string[],
  isActive: endpoint.status === 'active',
  status: endpoint.status,
  disabledReason: endpoint.disabled_reason,
  metadata: JSON.parse(endpoint.metadata) as Record<string, unknown>,
  createdAt: isoTime(endpoint.created_at),
  updatedAt: isoTime(endpoint.updated_at),
})

const presentWithKey = ({ endpoint, key }: service.EndpointWithKey) => ({
  ...present(endpoint),
  apiKey: key,
  standardWebhooksSecret: standardWebhooksSecret(key),
  previousKeyExpiresAt: isoTime(endpoint.previous_key_expires_at),
})

const presentAttempt = (attempt: WebhookAttemptRow & { payload: string }) => ({
  id: attempt.id,
  eventId: attempt.event_id,
  webhookId: attempt.endpoint_id,
  attemptNumber: attempt.attempt_number,
  requestUrl: attempt.request_url,
  requestHeaders: JSON.parse(attempt.request_headers) as Record<string, string>,
  requestBody: attempt.payload,
  responseStatus: attempt.response_status,
  responseBody: attempt.response_body,
  errorMessage: attempt.error_message,
  deliveryStatus: attempt.outcome,
  durationMs: attempt.duration_ms,
  createdAt: isoTime(attempt.created_at),
  nextRetryAt: isoTime(attempt.next_retry_at),
})

const presentLogs = (attempts: Array<WebhookAttemptRow & { payload: string }>) => ({
  success: true as const,
  data: { count: attempts.length, logs: attempts.map(presentAttempt) },
})

const presentEvent = ({ event, deliveries }: EventWithDeliveries) => ({
  id: event.id,
  eventId: event.id,
  tenant: event.client_id,
  eventType: event.type,
  payload: JSON.parse(event.payload) as unknown,
  userId: event.user_id,
  sourceService: event.type === TEST_EVENT_TYPE ? 'webhooks' : 'verification',
  status: eventStatus(deliveries),
  createdAt: isoTime(event.created_at),
  queuedAt: isoTime(event.created_at),
  processedAt: isoTime(event.dispatched_at),
})

const presentDelivery = (delivery: WebhookDeliveryRow) => ({
  id: delivery.id,
  webhookId: delivery.endpoint_id,
  status: delivery.status,
  attempts: delivery.attempts,
  lastResponseStatus: delivery.last_status,
  lastError: delivery.last_error,
  nextRetryAt: delivery.status === 'pending' ? isoTime(delivery.next_retry_at) : null,
  deliveredAt: isoTime(delivery.delivered_at),
})

const presentStatus = ({ event, deliveries }: EventWithDeliveries) => ({
  success: true as const,
  data: {
    eventId: event.id,
    eventType: event.type,
    status: eventStatus(deliveries),
    deliveries: deliveries.map(presentDelivery),
  },
})

const secretAuth = {
  401: errorResponse('Missing or wrong x-secret-key.'),
  ...clientErrorResponses,
}
const notFound = errorResponse('No such webhook (or event) for this client.')
const bodyErrors = {
  400: errorResponse('Malformed JSON body.'),
  413: errorResponse('Request body too large.'),
}

/** Authenticated by its own secret key: the client is who changed its endpoints or sent the event. */
const actorOf = (request: FastifyRequest) => `client:${clientScope(request).client.id}` as const

/**
 * Webhook management, server to server (x-client-key and x-secret-key). Endpoints are tenant-wide
 * configuration; events and their logs are read from the region the request is routed to (x-us-env /
 * ?region=us), where the users they are about live.
 */

export const webhookRoutes = (deps: WebhookDeps) => async (fastify: FastifyInstance) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const base = { tags: ['webhooks'], security: [{ clientKey: [], secretKey: [] }], headers: Headers }
  const config = { clientAuth: 'client+secret' as const }

  app.post(
    '/v1/webhooks',
    {
      config,
      schema: {
        ...base,
        operationId: 'createWebhookEndpoint',
        summary: 'Create a webhook endpoint (at most 5 per client); the signing key is shown this once',
        querystring: RegionQuery,
        body: CreateBody,
        response: {
          201: envelope(ref(WebhookEndpointWithKeySchema)),
          400: errorResponse('Malformed JSON body, or the limit of 5 endpoints is reached.'),
          413: bodyErrors[413],
          ...secretAuth,
        },
      },
    },
    async (request, reply) => {
      const created = await service.createEndpoint(
        deps,
        clientScope(request).client,
        request.body,
        actorOf(request),
      )
      return reply.code(201).send({ success: true, data: presentWithKey(created) })
    },
  )

  app.get(
    '/v1/webhooks',
    {
      config,
      schema: {
        ...base,
        operationId: 'listWebhookEndpoints',
        summary: "The client's webhook endpoints (keys masked)",
        querystring: RegionQuery,
        response: { 200: envelope(Type.Array(ref(WebhookEndpointSchema))), ...secretAuth },
      },
    },
    async (request) => ({
      success: true as const,
      data: (await service.listEndpoints(deps, clientScope(request).client)).map(present),
    }),
  )

  app.get(
    '/v1/webhooks/events',
    {
      config,
      schema: {
        ...base,
        operationId: 'listWebhookEvents',
        summary: 'Recent events of the routed region, newest first',
        querystring: LimitQuery,
        response: {
          200: envelope(Type.Object({ count: Type.Integer(), events: Type.Array(ref(WebhookEventSchema)) })),
          ...secretAuth,
        },
      },
    },
    async (request) => {
      const events = await service.listEvents(clientScope(request), request.query.limit)
      return { success: true as const, data: { count: events.length, events: events.map(presentEvent) } }
    },
  )

  app.get(
    '/v1/webhooks/events/:eventId/logs',
    {
      config,
      schema: {
        ...base,
        operationId: 'listWebhookEventAttempts',
        summary: 'Delivery attempts of one event (kept 7 days)',
        params: EventIdParams,
        querystring: LimitQuery,
        response: { 200: Logs, 404: notFound, ...secretAuth },
      },
    },
    async (request) =>
      presentLogs(await service.eventLogs(clientScope(request), request.params.eventId, request.query.limit)),
  )

  app.get(
    '/v1/webhooks/events/:eventId/status',
    {
      config,
      schema: {
        ...base,
        operationId: 'getWebhookEventStatus',
        summary: 'Delivery status of one event, per endpoint',
        params: EventIdParams,
        querystring: RegionQuery,
        response: { 200: envelope(ref(WebhookEventStatusSchema)), 404: notFound, ...secretAuth },
      },
    },
    async (request) =>
      presentStatus(await service.getEventWithDeliveries(clientScope(request), request.params.eventId)),
  )

  app.post(
    '/v1/webhooks/events/:eventId/retry',
    {
      config,
      schema: {
        ...base,
        operationId: 'retryWebhookEvent',
        summary: 'Send an event again to every endpoint whose delivery has finished',
        params: EventIdParams,
        querystring: RegionQuery,
        response: {
          200: envelope(ref(WebhookEventStatusSchema)),
          404: notFound,
          409: errorResponse('Nothing to retry: every delivery is pending or its endpoint is not active.'),
          ...secretAuth,
        },
      },
    },
    async (request) =>
      presentStatus(
        await service.retryEvent(deps, clientScope(request), request.params.eventId, actorOf(request)),
      ),
  )

  app.get(
    '/v1/webhooks/:id',
    {
      config,
      schema: {
        ...base,
        operationId: 'getWebhookEndpoint',
        summary: 'One webhook endpoint (key masked)',
        params: Id,
        querystring: RegionQuery,
        response: { 200: envelope(ref(WebhookEndpointSchema)), 404: notFound, ...secretAuth },
      },
    },
    async (request) => ({
      success: true as const,
      data: present(await service.getEndpoint(deps, clientScope(request).client, request.params.id)),
    }),
  )

  app.put(
    '/v1/webhooks/:id',
    {
      config,
      schema: {
        ...base,
        operationId: 'updateWebhookEndpoint',
        summary: 'Change a webhook endpoint; is_active true also resumes one the server disabled',
        params: Id,
        querystring: RegionQuery,
        body: UpdateBody,
        response: { 200: envelope(ref(WebhookEndpointSchema)), 404: notFound, ...bodyErrors, ...secretAuth },
      },
    },
    async (request) => ({
      success: true as const,
      data: present(
        await service.updateEndpoint(
          deps,
          clientScope(request).client,
          request.params.id,
          request.body,
          actorOf(request),
        ),
      ),
    }),
  )

  app.delete(
    '/v1/webhooks/:id',
    {
      config,
      schema: {
        ...base,
        operationId: 'deleteWebhookEndpoint',
        summary: 'Delete a webhook endpoint; its pending deliveries stop',
        params: Id,
        querystring: RegionQuery,
        response: { 200: ref(SuccessBody), 404: notFound, ...secretAuth },
      },
    },
    async (request) => {
      await service.deleteEndpoint(deps, clientScope(request).client, request.params.id, actorOf(request))
      return { success: true as const }
    },
  )

  app.post(
    '/v1/webhooks/:id/rotate-key',
    {
      config,
      schema: {
        ...base,
        operationId: 'rotateWebhookEndpointKey',
        summary: 'New signing key (shown this once); the previous one keeps signing beside it for 24 h',
        params: Id,
        querystring: RegionQuery,
        response: { 200: envelope(ref(WebhookEndpointWithKeySchema)), 404: notFound, ...secretAuth },
      },
    },
    async (request) => ({
      success: true as const,
      data: presentWithKey(
        await service.rotateKey(deps, clientScope(request).client, request.params.id, actorOf(request)),
      ),
    }),
  )

  app.get(
    '/v1/webhooks/:id/logs',
    {
      config,
      schema: {
        ...base,
        operationId: 'listWebhookEndpointAttempts',
        summary: 'Delivery attempts to one endpoint in the routed region (kept 7 days), newest first',
        params: Id,
        querystring: LimitQuery,
        response: { 200: Logs, 404: notFound, ...secretAuth },
      },
    },
    async (request) =>
      presentLogs(
        await service.endpointLogs(deps, clientScope(request), request.params.id, request.query.limit),
      ),
  )

  app.post(
    '/v1/webhooks/:id/test',
    {
      config,
      schema: {
        ...base,
        operationId: 'testWebhookEndpoint',
        summary: `Send a ${TEST_EVENT_TYPE} event to this endpoint (active or not) through the normal delivery path`,
        params: Id,
        querystring: RegionQuery,
        response: {
          202: envelope(ref(WebhookEventStatusSchema)),
          404: notFound,
          409: errorResponse('The endpoint was disabled by the server; activate it first.'),
          ...secretAuth,
        },
      },
    },
    async (request, reply) =>
      reply
        .code(202)
        .send(
          presentStatus(
            await service.sendTestEvent(deps, clientScope(request), request.params.id, actorOf(request)),
          ),
        ),
  )
}
