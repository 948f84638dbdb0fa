import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { isoTime } from '../../lib/clock.ts'
import { normalizeEmail } from '../../lib/validators.ts'
import { usersWithDocumentNumber } from '../checks/index.ts'
import { listClients } from '../clients/index.ts'
import { describeUser } from '../operator/index.ts'
import { locateUser, searchUsers, setUserSuspended } from '../users/index.ts'
import { listUserSessions } from '../verification/index.ts'
import { userWebhookEvents } from '../webhooks/index.ts'
import type { ConsoleContext } from './context.ts'
import { canDecide } from './pages.ts'
import { userPage, usersPage } from './users-page.ts'

const MAX_RESULTS = 50
const MAX_WEBHOOK_EVENTS = 50
const SearchQuery = Type.Object({ q: Type.Optional(Type.String({ maxLength: 200 })) })
const UserParams = Type.Object({ userId: Type.String({ maxLength: 100 }) })
/** What the user page says after a suspension form, named in its address (`?done=`) after the redirect. */
const NOTICES = {
  suspended: 'User suspended.',
  unsuspended: 'User unsuspended.',
  unchanged: 'Nothing changed: the user already had that status.',
} as const
const UserQuery = Type.Object({
  done: Type.Optional(Type.Union(Object.keys(NOTICES).map((key) => Type.Literal(key)))),
})
const SuspensionForm = Type.Object({
  csrf: Type.String({ maxLength: 100 }),
  suspended: Type.Union([Type.Literal('true'), Type.Literal('false')]),
})

/**
 * The console's users (issue #13 item 6): search by email, user id, name or document number across regions, a user's
 * page with their sessions, transitions and webhook deliveries, suspend and unsuspend. Each search and each user page
 * opened is audited (who looked at whose data), without the search text, which may itself be personal.
 */
export const consoleUserRoutes = (fastify: FastifyInstance, context: ConsoleContext) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const { deps } = context
  const actorOf = (request: FastifyRequest) => `staff:${context.viewer(request).staff.id}` as const

  app.get(
    '/console/users',
    {
      exposeHeadRoute: false,
      schema: { ...context.schema('searchConsoleUsers', 'Find users'), querystring: SearchQuery },
    },
    async (request, reply) => {
      const text = (request.query.q ?? '').trim()
      if (!text)
        return context.send(
          reply,
          200,
          'Users',
          usersPage(context.viewer(request), { query: '', results: null }),
        )
      // The text as a document number: its keyed digest at each client serving the region, as the
      // checks stored it (the number itself is never stored, logged or audited).
      const clients = await listClients(deps)
      const found = await Promise.all(
        deps.databases.all.map(async (database) =>
          (
            await searchUsers(
              database.db,
              {
                text,
                email: normalizeEmail(text) ?? null,
                ids: await usersWithDocumentNumber(database.db, deps.keys.documentNumbers, {
                  clientIds: clients
                    .filter((client) => client.regions.includes(database.region))
                    .map((client) => client.id),
                  number: text,
                }),
              },
              MAX_RESULTS,
            )
          ).map((user) => ({
            id: user.id,
            region: database.region,
            clientId: user.client_id,
            email: user.email,
            name: [user.first_name, user.last_name].filter(Boolean).join(' '),
            verificationState: user.verification_state,
            status: user.status,
          })),
        ),
      )
      const results = found.flat().slice(0, MAX_RESULTS)
      await context.audit(deps.databases.home, {
        actor: actorOf(request),
        action: 'user.search',
        details: { results: results.length },
      })
      return context.send(reply, 200, 'Users', usersPage(context.viewer(request), { query: text, results }))
    },
  )

  const renderUser = async (
    request: FastifyRequest,
    reply: FastifyReply,
    userId: string,
    notice?: string,
  ) => {
    const { database } = await locateUser(deps, userId)
    const described = await describeUser(deps, userId)
    const sessions = await listUserSessions(database.db, described.id, 50)
    const webhookEvents = await userWebhookEvents(
      deps.databases,
      database,
      { clientId: described.clientId, userId: described.id },
      MAX_WEBHOOK_EVENTS,
    )
    await context.audit(database, {
      actor: actorOf(request),
      action: 'user.view',
      subject: { type: 'user', id: described.id },
      details: { clientId: described.clientId },
    })
    const { stateHistory, checkedIdentity: _checked, ...account } = described
    return context.send(
      reply,
      200,
      `User ${described.id}`,
      userPage(context.viewer(request), {
        account,
        history: stateHistory,
        sessions: sessions.map((session) => ({
          id: session.id,
          kind: session.kind,
          status: session.status,
          outcome: session.outcome,
          createdAt: isoTime(session.created_at) ?? '',
          submittedAt: isoTime(session.submitted_at),
          reasons: (JSON.parse(session.reasons) as { code: string }[]).map((each) => each.code),
        })),
        webhookEvents: webhookEvents.map((event) => ({
          id: event.id,
          type: event.type,
          createdAt: isoTime(event.createdAt) ?? '',
          deliveries: event.deliveries.map((delivery) => ({
            ...delivery,
            deliveredAt: isoTime(delivery.deliveredAt),
            nextRetryAt: isoTime(delivery.nextRetryAt),
          })),
        })),
        canSuspend: canDecide(context.viewer(request).staff.role),
        ...(notice ? { notice } : {}),
      }),
    )
  }

  app.get(
    '/console/users/:userId',
    {
      exposeHeadRoute: false,
      schema: {
        ...context.schema('getConsoleUser', 'One user: account, sessions, transitions, webhook deliveries'),
        params: UserParams,
        querystring: UserQuery,
      },
    },
    async (request, reply) => {
      const done = request.query.done as keyof typeof NOTICES | undefined
      return renderUser(request, reply, request.params.userId, done ? NOTICES[done] : undefined)
    },
  )

  app.post(
    '/console/users/:userId/suspension',
    {
      schema: {
        ...context.schema('setConsoleUserSuspension', 'Suspend or unsuspend a user'),
        params: UserParams,
        body: SuspensionForm,
      },
    },
    async (request, reply) => {
      context.requireCsrf(request, request.body.csrf)
      context.requireRole(request, canDecide)
      const suspended = request.body.suspended === 'true'
      // Audited by the users module, in the transaction of the change (no entry when nothing changed).
      const { user, changed } = await setUserSuspended(
        deps,
        request.params.userId,
        suspended,
        actorOf(request),
      )
      const done: keyof typeof NOTICES = !changed ? 'unchanged' : suspended ? 'suspended' : 'unsuspended'
      // Post/redirect/get: reloading the page it lands on does not post the form again.
      return reply.redirect(`/console/users/${encodeURIComponent(user.id)}?done=${done}`, 303)
    },
  )
}
