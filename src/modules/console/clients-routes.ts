import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { Region } from '../../db/database.ts'
import { isoTime } from '../../lib/clock.ts'
import { AppError, type FieldProblem } from '../../lib/errors.ts'
import {
  type Client,
  type ClientScope,
  createClient,
  disableClient,
  enableClient,
  getClient,
  listClients,
  rotateClientSecret,
  updateClientSettings,
} from '../clients/index.ts'
import {
  endpointLogs,
  eventStatus,
  listEndpoints,
  listEvents,
  retryEvent,
  sendTestEvent,
  updateEndpoint,
} from '../webhooks/index.ts'
import {
  type ClientForm,
  type ClientView,
  clientPage,
  clientsPage,
  type EndpointView,
  secretPage,
} from './clients-page.ts'
import type { ConsoleContext } from './context.ts'

/** What the client's page says after a change redirected to it. */
const NOTICES = {
  settings: 'Settings saved.',
  unchanged: 'Nothing changed: the settings were already these.',
  disabled: 'Client disabled: its key is refused from now on.',
  enabled: 'Client enabled: its key and its current secret work again.',
  tested: 'Test event queued: its delivery appears in the log below.',
  activated: 'Endpoint active: new events are delivered to it.',
  replayed: 'Event queued again for its endpoints.',
} as const

const Csrf = Type.String({ maxLength: 100 })
const Regions = Type.Optional(
  Type.Union([Type.String({ maxLength: 10 }), Type.Array(Type.String({ maxLength: 10 }), { maxItems: 10 })]),
)
const List = Type.Optional(Type.String({ maxLength: 20 * 2100 }))
const CreateForm = Type.Object({
  csrf: Csrf,
  name: Type.String({ maxLength: 100 }),
  mode: Type.Union([Type.Literal('sandbox'), Type.Literal('live')]),
  regions: Regions,
  redirectUris: List,
  allowedOrigins: List,
})
const SettingsForm = Type.Object({
  csrf: Csrf,
  regions: Regions,
  redirectUris: List,
  allowedOrigins: List,
  frameAncestors: List,
  requireProofOfAddress: Type.Union([Type.Literal('true'), Type.Literal('false')]),
  returnUrl: Type.Optional(Type.String({ maxLength: 2048 })),
})
const CsrfForm = Type.Object({ csrf: Csrf })
// The client's name typed again: a change that cuts a tenant off takes more than one stray click.
const ConfirmedForm = Type.Object({ csrf: Csrf, confirm: Type.String({ maxLength: 100 }) })
const RegionForm = Type.Object({ csrf: Csrf, region: Type.String({ maxLength: 10 }) })
const ClientParams = Type.Object({ clientId: Type.String({ maxLength: 100 }) })
const ClientQuery = Type.Object({
  done: Type.Optional(Type.Union(Object.keys(NOTICES).map((key) => Type.Literal(key)))),
})
const EndpointParams = Type.Object({
  clientId: Type.String({ maxLength: 100 }),
  endpointId: Type.String({ maxLength: 100 }),
})
const EventParams = Type.Object({
  clientId: Type.String({ maxLength: 100 }),
  eventId: Type.String({ maxLength: 100 }),
})

/** What the logs and event lists show of each (newest first, across the client's regions). */
const SHOWN = 20

const isAdmin = (role: string) => role === 'admin'
const confirmed = (client: Client, typed: string) => typed.trim() === client.name
const notConfirmed = (what: 'rotated' | 'disabled') =>
  `Type the client's name exactly to confirm; nothing was ${what}.`
const asList = (value: string | string[] | undefined) =>
  value === undefined ? [] : Array.isArray(value) ? value : [value]
/** A textarea of one entry per line, as the list the settings take (a URI may itself hold a comma). */
const entries = (text: string | undefined) =>
  (text ?? '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean)
const when = (at: number | null) => isoTime(at) ?? ''

const clientView = (client: Client): ClientView => ({
  id: client.id,
  name: client.name,
  mode: client.mode,
  regions: client.regions,
  clientKey: client.clientKey,
  secretHint: client.secretHint,
  status: client.status,
  redirectUris: client.redirectUris,
  allowedOrigins: client.allowedOrigins,
  frameAncestors: client.frameAncestors,
  requireProofOfAddress: client.requireProofOfAddress,
  returnUrl: client.returnUrl,
  createdAt: when(client.createdAt),
  secretRotatedAt: when(client.secretRotatedAt),
})

/** The problems of a 422 from the clients module, as one sentence for the form. */
const problemsOf = (error: AppError) =>
  ((error.body?.errors ?? []) as FieldProblem[])
    .map((problem) => `${problem.field}: ${problem.message}`)
    .join('; ')

/**
 * Clients and their webhooks, for admins (issue #13 item 7): list, create, rotate the secret (shown
 * once), disable, edit settings; each client's webhook endpoints with their delivery log, test events
 * and replays. Every change goes through the clients or webhooks module, which audits it in the
 * change's own transaction with the admin as the actor.
 */
export const consoleClientRoutes = (fastify: FastifyInstance, context: ConsoleContext) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const { deps } = context
  const actorOf = (request: FastifyRequest) => `staff:${context.viewer(request).staff.id}` as const
  const regions = deps.databases.all.map((database) => database.region)

  /** A post from an admin's own console page: same-site, valid CSRF token, admin role. */
  const requireAdminPost = (request: FastifyRequest, csrf: string) => {
    context.requireCsrf(request, csrf)
    context.requireRole(request, isAdmin)
  }

  const scopeOf = (client: Client, region: string): ClientScope => {
    const database = deps.databases.all.find((each) => each.region === region)
    if (!database || !client.regions.includes(region as Region))
      throw new AppError('NOT_FOUND', { message: 'This client does not serve that region.' })
    return { client, region: database.region, database }
  }

  const renderList = async (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    form: ClientForm = {},
    error?: string,
  ) =>
    context.send(
      reply,
      status,
      'Clients',
      clientsPage(context.viewer(request), {
        clients: (await listClients(deps)).map(clientView),
        regions,
        form,
        ...(error ? { error } : {}),
      }),
    )

  const renderClient = async (
    request: FastifyRequest,
    reply: FastifyReply,
    clientId: string,
    status: number,
    messages: { notice?: string; error?: string } = {},
  ) => {
    const client = await getClient(deps, clientId)
    const endpoints = await listEndpoints(deps, client)
    const scopes = client.regions.map((region) => scopeOf(client, region))
    const attempts = (
      await Promise.all(
        scopes.flatMap((scope) =>
          endpoints.map(async (endpoint) =>
            (await endpointLogs(deps, scope, endpoint.id, SHOWN)).map((attempt) => ({ ...attempt, scope })),
          ),
        ),
      )
    )
      .flat()
      .sort((a, b) => b.created_at - a.created_at)
      .slice(0, SHOWN)
    const events = (
      await Promise.all(
        scopes.map(async (scope) => (await listEvents(scope, SHOWN)).map((each) => ({ ...each, scope }))),
      )
    )
      .flat()
      .sort((a, b) => b.event.created_at - a.event.created_at)
      .slice(0, SHOWN)
    return context.send(
      reply,
      status,
      `Client ${client.name}`,
      clientPage(context.viewer(request), {
        client: clientView(client),
        regions,
        endpoints: endpoints.map(
          (endpoint): EndpointView => ({
            id: endpoint.id,
            name: endpoint.name,
            url: endpoint.url,
            eventTypes: JSON.parse(endpoint.event_types) as string[],
            status: endpoint.status,
            disabledReason: endpoint.disabled_reason,
            keyLast4: endpoint.key_last4,
            failingSince: isoTime(endpoint.failing_since),
          }),
        ),
        attempts: attempts.map((attempt) => ({
          at: when(attempt.created_at),
          region: attempt.scope.region,
          endpointId: attempt.endpoint_id,
          eventType: (JSON.parse(attempt.payload) as { event_type?: string }).event_type ?? '',
          attempt: attempt.attempt_number,
          outcome: attempt.outcome,
          responseStatus: attempt.response_status,
          durationMs: attempt.duration_ms,
          error: attempt.error_message,
        })),
        events: events.map(({ event, deliveries, scope }) => ({
          id: event.id,
          region: scope.region,
          type: event.type,
          objectId: (JSON.parse(event.payload) as { event_object_id?: string }).event_object_id ?? null,
          at: when(event.created_at),
          status: eventStatus(deliveries),
          deliveries: deliveries.map((delivery) => ({
            endpointId: delivery.endpoint_id,
            status: delivery.status,
            attempts: delivery.attempts,
          })),
        })),
        ...messages,
      }),
    )
  }

  /**
   * Runs a change, then sends the browser back to the client's page (so a reload does not post it
   * again); a 422 or 409 from the module comes back on the page with its message, nothing changed.
   */
  const changeThenShow = async <T>(
    request: FastifyRequest,
    reply: FastifyReply,
    clientId: string,
    change: () => Promise<T>,
    done: keyof typeof NOTICES | ((result: T) => keyof typeof NOTICES),
  ) => {
    let result: T
    try {
      result = await change()
    } catch (error) {
      if (error instanceof AppError && (error.status === 422 || error.status === 409))
        return renderClient(request, reply, clientId, error.status, {
          error: error.code === 'VALIDATION_ERROR' ? problemsOf(error) : error.publicMessage,
        })
      throw error
    }
    const notice = typeof done === 'function' ? done(result) : done
    return reply.redirect(`/console/clients/${encodeURIComponent(clientId)}?done=${notice}`, 303)
  }

  app.get(
    '/console/clients',
    { schema: context.schema('getConsoleClients', 'Clients (admin)') },
    async (request, reply) => {
      context.requireRole(request, isAdmin)
      return renderList(request, reply, 200)
    },
  )

  app.post(
    '/console/clients',
    { schema: { ...context.schema('createConsoleClient', 'Create a client (admin)'), body: CreateForm } },
    async (request, reply) => {
      requireAdminPost(request, request.body.csrf)
      const { name, mode, redirectUris, allowedOrigins } = request.body
      const chosen = asList(request.body.regions)
      try {
        const created = await createClient(
          deps,
          {
            name,
            mode,
            regions: chosen,
            redirectUris: entries(redirectUris),
            allowedOrigins: entries(allowedOrigins),
          },
          actorOf(request),
        )
        return context.send(
          reply,
          200,
          'Client created',
          secretPage(context.viewer(request), {
            client: clientView(created.client),
            secretKey: created.secretKey,
            rotated: false,
          }),
        )
      } catch (error) {
        if (!(error instanceof AppError) || error.code !== 'VALIDATION_ERROR') throw error
        const form = { name, mode, regions: chosen, redirectUris, allowedOrigins }
        return renderList(request, reply, 422, form, problemsOf(error))
      }
    },
  )

  app.get(
    '/console/clients/:clientId',
    {
      schema: {
        ...context.schema('getConsoleClient', 'One client: settings, webhook endpoints, deliveries (admin)'),
        params: ClientParams,
        querystring: ClientQuery,
      },
    },
    async (request, reply) => {
      context.requireRole(request, isAdmin)
      const done = request.query.done as keyof typeof NOTICES | undefined
      return renderClient(request, reply, request.params.clientId, 200, done ? { notice: NOTICES[done] } : {})
    },
  )

  app.post(
    '/console/clients/:clientId/settings',
    {
      schema: {
        ...context.schema('updateConsoleClient', "Change a client's settings (admin)"),
        params: ClientParams,
        body: SettingsForm,
      },
    },
    async (request, reply) => {
      requireAdminPost(request, request.body.csrf)
      const client = await getClient(deps, request.params.clientId)
      const body = request.body
      return changeThenShow(
        request,
        reply,
        client.id,
        () =>
          updateClientSettings(
            deps,
            client,
            {
              regions: asList(body.regions),
              redirectUris: entries(body.redirectUris),
              allowedOrigins: entries(body.allowedOrigins),
              frameAncestors: entries(body.frameAncestors),
              requireProofOfAddress: body.requireProofOfAddress === 'true',
              returnUrl: body.returnUrl?.trim() || null,
            },
            actorOf(request),
          ),
        (saved) => (saved.changed.length > 0 ? 'settings' : 'unchanged'),
      )
    },
  )

  app.post(
    '/console/clients/:clientId/secret',
    {
      schema: {
        ...context.schema('rotateConsoleClientSecret', "Rotate a client's secret key, shown once (admin)"),
        params: ClientParams,
        body: ConfirmedForm,
      },
    },
    async (request, reply) => {
      requireAdminPost(request, request.body.csrf)
      const client = await getClient(deps, request.params.clientId)
      if (client.status !== 'active')
        throw new AppError('CONFLICT', { message: 'A disabled client gets no new secret key.' })
      if (!confirmed(client, request.body.confirm))
        return renderClient(request, reply, client.id, 422, { error: notConfirmed('rotated') })
      const rotated = await rotateClientSecret(deps, client.id, actorOf(request))
      return context.send(
        reply,
        200,
        'New secret key',
        secretPage(context.viewer(request), {
          client: clientView(rotated.client),
          secretKey: rotated.secretKey,
          rotated: true,
        }),
      )
    },
  )

  app.post(
    '/console/clients/:clientId/disable',
    {
      schema: {
        ...context.schema('disableConsoleClient', 'Disable a client: its key is refused from now on (admin)'),
        params: ClientParams,
        body: ConfirmedForm,
      },
    },
    async (request, reply) => {
      requireAdminPost(request, request.body.csrf)
      const client = await getClient(deps, request.params.clientId)
      if (!confirmed(client, request.body.confirm))
        return renderClient(request, reply, client.id, 422, { error: notConfirmed('disabled') })
      return changeThenShow(
        request,
        reply,
        client.id,
        () => disableClient(deps, client.id, actorOf(request)),
        'disabled',
      )
    },
  )

  app.post(
    '/console/clients/:clientId/enable',
    {
      schema: {
        ...context.schema('enableConsoleClient', 'Take a disabled client back into service (admin)'),
        params: ClientParams,
        body: CsrfForm,
      },
    },
    async (request, reply) => {
      requireAdminPost(request, request.body.csrf)
      const client = await getClient(deps, request.params.clientId)
      return changeThenShow(
        request,
        reply,
        client.id,
        () => enableClient(deps, client.id, actorOf(request)),
        'enabled',
      )
    },
  )

  app.post(
    '/console/clients/:clientId/webhooks/:endpointId/test',
    {
      schema: {
        ...context.schema('testConsoleWebhook', 'Send a test event to one webhook endpoint (admin)'),
        params: EndpointParams,
        body: RegionForm,
      },
    },
    async (request, reply) => {
      requireAdminPost(request, request.body.csrf)
      const client = await getClient(deps, request.params.clientId)
      const scope = scopeOf(client, request.body.region)
      return changeThenShow(
        request,
        reply,
        client.id,
        () => sendTestEvent(deps, scope, request.params.endpointId, actorOf(request)),
        'tested',
      )
    },
  )

  app.post(
    '/console/clients/:clientId/webhooks/:endpointId/activate',
    {
      schema: {
        ...context.schema(
          'activateConsoleWebhook',
          'Activate a webhook endpoint, or resume one disabled after failures (admin)',
        ),
        params: EndpointParams,
        body: CsrfForm,
      },
    },
    async (request, reply) => {
      requireAdminPost(request, request.body.csrf)
      const client = await getClient(deps, request.params.clientId)
      return changeThenShow(
        request,
        reply,
        client.id,
        () => updateEndpoint(deps, client, request.params.endpointId, { is_active: true }, actorOf(request)),
        'activated',
      )
    },
  )

  app.post(
    '/console/clients/:clientId/events/:eventId/replay',
    {
      schema: {
        ...context.schema('replayConsoleWebhookEvent', 'Send an event again to its endpoints (admin)'),
        params: EventParams,
        body: RegionForm,
      },
    },
    async (request, reply) => {
      requireAdminPost(request, request.body.csrf)
      const client = await getClient(deps, request.params.clientId)
      const scope = scopeOf(client, request.body.region)
      return changeThenShow(
        request,
        reply,
        client.id,
        () => retryEvent(deps, scope, request.params.eventId, actorOf(request)),
        'replayed',
      )
    },
  )
}
