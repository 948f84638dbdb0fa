import cookie from '@fastify/cookie'
import formbody from '@fastify/formbody'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { RegionDatabase } from '../../db/database.ts'
import { AUDIT_ACTIONS } from '../../db/schema.ts'
import { toAppError } from '../../http/error-handler.ts'
import { AppError } from '../../lib/errors.ts'
import { htmlResponse, sendPage } from '../../web/page.ts'
import { type AuditEntryInput, appendAudit, listAuditEntries } from '../audit/index.ts'
import { listCases, summarizeCases } from '../review/index.ts'
import {
  listStaff,
  resolveStaffSession,
  type StaffSession,
  signInStaff,
  signOutStaff,
} from '../staff/index.ts'
import { liveAssignments } from './assignments.ts'
import { consoleCaseRoutes } from './case-routes.ts'
import { consoleClientRoutes } from './clients-routes.ts'
import { loginCsrfValue, sameToken, sessionCsrfToken } from './csrf.ts'
import { dashboardOf } from './dashboard.ts'
import { dashboardPage } from './dashboard-page.ts'
import type { ConsoleDeps } from './deps.ts'
import {
  auditPage,
  canReadAudit,
  loginPage,
  messageBody,
  queuePage,
  staffPage,
  type Viewer,
} from './pages.ts'
import { consoleUserRoutes } from './users-routes.ts'

export type { ConsoleDeps }

const SESSION_COOKIE = 'verity_console'
/** The most cases the queue page loads; beyond it the page says how many it left out. */
const QUEUE_LIMIT = 1000
const LOGIN_COOKIE = 'verity_console_login'

declare module 'fastify' {
  interface FastifyRequest {
    staffSession?: StaffSession
  }
}

const Csrf = Type.String({ maxLength: 100 })
const LoginForm = Type.Object({
  csrf: Csrf,
  email: Type.String({ maxLength: 320 }),
  password: Type.String({ maxLength: 200 }),
  code: Type.String({ maxLength: 10 }),
})
const CsrfForm = Type.Object({ csrf: Csrf })
const QueueQuery = Type.Object({
  client: Type.Optional(Type.String({ maxLength: 100 })),
  region: Type.Optional(Type.String({ maxLength: 10 })),
  reason: Type.Optional(Type.String({ maxLength: 64 })),
  olderThanMinutes: Type.Optional(Type.String({ maxLength: 6, pattern: '^[0-9]*$' })),
  assignee: Type.Optional(Type.Union([Type.Literal(''), Type.Literal('mine'), Type.Literal('unassigned')])),
})
const DashboardQuery = Type.Object({
  client: Type.Optional(Type.String({ maxLength: 100 })),
  region: Type.Optional(Type.String({ maxLength: 10 })),
})
const AuditQuery = Type.Object({
  actor: Type.Optional(Type.String({ maxLength: 210 })),
  action: Type.Optional(Type.String({ maxLength: 64 })),
  subject: Type.Optional(Type.String({ maxLength: 100 })),
})

/** Ids as the server makes them: prefixed ULIDs (`ses_01J…`) and UUIDs (users, events). */
const SUBJECT_ID =
  /^(?:[a-z]{2,10}_[0-9A-HJKMNP-TV-Z]{26}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/
/** Actors that name no person: a staff member's or client's id, or the server (not `cli:<name>`). */
const ACTOR_ID = /^(?:system|(?:staff|client):[a-z]{2,10}_[0-9A-HJKMNP-TV-Z]{26})$/

const TITLES: Partial<Record<number, string>> = {
  400: 'That request was not understood',
  401: 'Please sign in',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Not possible right now',
  422: 'Please check the form',
  429: 'Too many attempts',
}

/**
 * The compliance console (issue #13): staff sign in with password and TOTP, see the cases waiting for a
 * person, open one (every view of personal data audited) and decide it through the review module's
 * decision seam. Pages only, rendered on the server; forms carry CSRF tokens, and a post from another
 * site is refused before anything else is looked at.
 */
export const consoleRoutes = (deps: ConsoleDeps) => async (fastify: FastifyInstance) => {
  await fastify.register(cookie)
  await fastify.register(formbody)
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const staffDeps = {
    db: deps.databases.home.db,
    home: deps.databases.home,
    clock: deps.clock,
    keys: deps.keys,
    config: deps.config,
  }
  const reviewDeps = deps
  const ownOrigin = new URL(deps.config.PUBLIC_URL).origin

  const viewerOf = (session: StaffSession): Viewer => ({
    staff: session.staff,
    csrf: sessionCsrfToken(deps.keys.csrf, session.sessionId),
  })

  const send = (
    reply: FastifyReply,
    status: number,
    title: string,
    body: ReturnType<typeof loginPage>,
    script?: string,
  ) =>
    sendPage(reply, status, {
      title: `${title} · Verity console`,
      body,
      wide: true,
      ...(script ? { script } : {}),
    })

  const sendMessage = (request: FastifyRequest, reply: FastifyReply, error: AppError) => {
    if (error.headers) reply.headers(error.headers)
    const viewer = request.staffSession ? viewerOf(request.staffSession) : null
    const title = TITLES[error.status] ?? 'Something went wrong'
    return send(reply, error.status, title, messageBody(viewer, title, error.publicMessage))
  }

  /** Appends one audit entry in a transaction of its own (a view changes nothing else). */
  const audit = (database: RegionDatabase, entry: AuditEntryInput) =>
    database.db.transaction().execute((trx) => appendAudit(deps, database, trx, entry))

  const cookieOptions = (maxAgeSeconds?: number) => ({
    path: '/console',
    httpOnly: true,
    secure: deps.secureCookies,
    sameSite: 'strict' as const,
    ...(maxAgeSeconds === undefined ? {} : { maxAge: maxAgeSeconds }),
  })

  /**
   * A post must come from the console's own pages: Sec-Fetch-Site when the browser sends it, else an
   * Origin other than ours refuses it. The CSRF token stands behind this for browsers that send neither.
   */
  const refuseCrossSite = (request: FastifyRequest) => {
    const site = request.headers['sec-fetch-site']
    const origin = request.headers.origin
    const crossSite =
      site !== undefined
        ? site !== 'same-origin'
        : origin !== undefined && origin !== 'null' && origin !== ownOrigin
    if (crossSite) throw new AppError('CROSS_SITE_REQUEST')
  }

  const requireCsrf = (request: FastifyRequest, presented: string) => {
    refuseCrossSite(request)
    const session = request.staffSession
    if (!session || !sameToken(sessionCsrfToken(deps.keys.csrf, session.sessionId), presented))
      throw new AppError('CSRF_REJECTED')
  }

  const requireRole = (
    request: FastifyRequest,
    allowed: (role: StaffSession['staff']['role']) => boolean,
  ) => {
    if (!request.staffSession || !allowed(request.staffSession.staff.role))
      throw new AppError('NOT_AUTHORIZED', { message: 'Your role does not allow this.' })
  }

  // One place where the console's errors become pages, at the catalogue's status.
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const appError = toAppError(error, request)
    if (appError.status >= 500)
      request.log.error({ err: error, errorCode: appError.code }, 'console request failed')
    else request.log.info({ errorCode: appError.code, detail: appError.message }, 'console request rejected')
    return sendMessage(request, reply, appError)
  })

  // Every console route but the sign-in pages needs a live staff session: pages send a browser to the
  // sign-in page, anything else (an image, a form post) is refused.
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? ''
    if (path === '/console/login') return
    const session = await resolveStaffSession(staffDeps, request.cookies[SESSION_COOKIE] ?? '')
    if (session) {
      request.staffSession = session
      return
    }
    if (request.cookies[SESSION_COOKIE]) reply.clearCookie(SESSION_COOKIE, cookieOptions())
    const page = request.method === 'GET' && !path.includes('/documents/')
    if (page) return reply.redirect('/console/login', 303)
    throw new AppError('STAFF_SESSION_INVALID')
  })

  const schema = (operationId: string, summary: string) => ({
    tags: ['console'],
    operationId,
    summary,
    response: { 200: htmlResponse('The page') },
  })

  app.get(
    '/console/login',
    { schema: schema('getConsoleLogin', 'Staff sign-in page') },
    async (request, reply) => {
      const session = await resolveStaffSession(staffDeps, request.cookies[SESSION_COOKIE] ?? '')
      if (session) return reply.redirect('/console', 303)
      const csrf = loginCsrfValue()
      reply.setCookie(LOGIN_COOKIE, csrf, cookieOptions(3600))
      return send(reply, 200, 'Sign in', loginPage({ csrf }))
    },
  )

  app.post(
    '/console/login',
    {
      schema: { ...schema('signInConsole', 'Staff sign-in: email, password and TOTP code'), body: LoginForm },
    },
    async (request, reply) => {
      refuseCrossSite(request)
      const expected = request.cookies[LOGIN_COOKIE]
      if (!expected || !sameToken(expected, request.body.csrf)) throw new AppError('CSRF_REJECTED')
      const again = (error: AppError) => {
        if (error.headers) reply.headers(error.headers)
        const csrf = loginCsrfValue()
        reply.setCookie(LOGIN_COOKIE, csrf, cookieOptions(3600))
        return send(
          reply,
          error.status,
          'Sign in',
          loginPage({ csrf, email: request.body.email, error: error.publicMessage }),
        )
      }
      try {
        // Audited (`staff.sign_in`) by the staff module, in the transaction that opens the session.
        const signedIn = await signInStaff(
          { ...staffDeps, throttle: deps.staffThrottle },
          {
            email: request.body.email,
            password: request.body.password,
            code: request.body.code.trim(),
            sourceIp: request.ip,
          },
        )
        reply.clearCookie(LOGIN_COOKIE, cookieOptions())
        reply.setCookie(
          SESSION_COOKIE,
          signedIn.sessionToken,
          cookieOptions(Math.floor(deps.config.STAFF_SESSION_MAX_MS / 1000)),
        )
        return reply.redirect('/console', 303)
      } catch (error) {
        if (!(error instanceof AppError) || error.status >= 500) throw error
        // Who tried is not known (one answer for every failure) and an email is not kept in the log.
        // Only attempts that were checked are recorded: a throttled or locked one costs nothing to send,
        // and the append-only log must not be something a stranger can fill at will.
        if (error.code === 'STAFF_CREDENTIALS_INVALID')
          await audit(deps.databases.home, {
            actor: 'system',
            action: 'staff.sign_in_failed',
            details: { code: error.code },
          })
        return again(error)
      }
    },
  )

  app.post(
    '/console/logout',
    { schema: { ...schema('signOutConsole', 'Sign out'), body: CsrfForm } },
    async (request, reply) => {
      requireCsrf(request, request.body.csrf)
      // Audited by the staff module, in the transaction that ends the session.
      await signOutStaff(staffDeps, request.cookies[SESSION_COOKIE] ?? '')
      reply.clearCookie(SESSION_COOKIE, cookieOptions())
      return reply.redirect('/console/login', 303)
    },
  )

  app.get(
    '/console',
    { schema: { ...schema('getConsoleQueue', 'Review queue'), querystring: QueueQuery } },
    async (request, reply) => {
      const session = request.staffSession as StaffSession
      const now = deps.clock.now()
      const cases = await listCases(reviewDeps, QUEUE_LIMIT)
      // Only a full page may have left cases out: then the databases say how many wait in all.
      const waiting = cases.length < QUEUE_LIMIT ? cases.length : (await summarizeCases(reviewDeps)).count
      const assigned = await Promise.all(
        deps.databases.all.map((database) =>
          liveAssignments(
            database.db,
            cases.filter((row) => row.region === database.region).map((row) => row.sessionId),
            now,
          ),
        ),
      )
      const assigneeOf = (sessionId: string) =>
        assigned.map((each) => each.get(sessionId)).find((each) => each !== undefined)
      const all = cases.map((row) => ({ ...row, assignee: assigneeOf(row.sessionId)?.staffEmail ?? null }))
      const { client, region, reason } = request.query
      const assignee = request.query.assignee || undefined
      const olderThan = request.query.olderThanMinutes ? Number(request.query.olderThanMinutes) : undefined
      const rows = all.filter(
        (row) =>
          (!client || row.clientId === client) &&
          (!region || row.region === region) &&
          (!reason || row.reasons.includes(reason)) &&
          (olderThan === undefined || row.waitingSeconds >= olderThan * 60) &&
          (assignee === undefined ||
            (assignee === 'mine' ? row.assignee === session.staff.email : row.assignee === null)),
      )
      const slaMinutes = deps.config.REVIEW_SLA_MINUTES
      const distinct = (values: string[]) => [...new Set(values)].sort()
      return send(
        reply,
        200,
        'Review queue',
        queuePage(viewerOf(request.staffSession as StaffSession), {
          rows,
          total: rows.length,
          capped: waiting > cases.length ? { shown: cases.length, waiting } : null,
          overdue: rows.filter((row) => row.waitingSeconds > slaMinutes * 60).length,
          slaMinutes,
          filters: {
            ...(client ? { client } : {}),
            ...(region ? { region } : {}),
            ...(reason ? { reason } : {}),
            ...(olderThan === undefined ? {} : { olderThanMinutes: olderThan }),
            ...(assignee ? { assignee } : {}),
          },
          clients: distinct(all.map((row) => row.clientId)),
          regions: deps.databases.all.map((database) => database.region),
          reasons: distinct(all.flatMap((row) => row.reasons)),
        }),
      )
    },
  )

  app.get(
    '/console/audit',
    // No automatic HEAD: reading the log is audited.
    {
      exposeHeadRoute: false,
      schema: { ...schema('getConsoleAudit', 'Audit log (audited)'), querystring: AuditQuery },
    },
    async (request, reply) => {
      requireRole(request, canReadAudit)
      const { actor, action, subject } = request.query
      const knownAction = AUDIT_ACTIONS.find((each) => each === action)
      const criteria = {
        ...(actor ? { actor } : {}),
        ...(knownAction ? { action: knownAction } : {}),
        ...(subject ? { subjectId: subject } : {}),
      }
      const filter = { limit: 200, ...criteria }
      const entries = (
        await Promise.all(
          deps.databases.all.map(async (database) =>
            (
              await listAuditEntries(database.db, filter)
            ).map((entry) => ({ ...entry, region: database.region })),
          ),
        )
      )
        .flat()
        .sort((a, b) => b.occurredAt.localeCompare(a.occurredAt) || b.sequence - a.sequence)
        .slice(0, 200)
      // Who read which part of the log: it maps staff to the users and cases they handled.
      await audit(deps.databases.home, {
        actor: `staff:${(request.staffSession as StaffSession).staff.id}`,
        action: 'audit.view',
        // The filters are free text: one that has the shape of an id is kept, anything else (an email or
        // a name pasted in) only as "a filter was used", never in clear in the append-only log.
        details: {
          ...(knownAction ? { action: knownAction } : {}),
          ...(actor ? (ACTOR_ID.test(actor) ? { actor } : { actorFilter: true }) : {}),
          ...(subject ? (SUBJECT_ID.test(subject) ? { subjectId: subject } : { subjectFilter: true }) : {}),
          entries: entries.length,
        },
      })
      return send(
        reply,
        200,
        'Audit log',
        auditPage(viewerOf(request.staffSession as StaffSession), {
          entries,
          filters: { actor, action, subject },
        }),
      )
    },
  )

  app.get(
    '/console/dashboard',
    { schema: { ...schema('getConsoleDashboard', 'Dashboard'), querystring: DashboardQuery } },
    async (request, reply) => {
      const days = 14
      const client = request.query.client || undefined
      const region = request.query.region || undefined
      const dashboard = await dashboardOf(deps.databases, {
        now: deps.clock.now(),
        days,
        ...(client ? { client } : {}),
        ...(region ? { region } : {}),
      })
      const waiting = await summarizeCases(reviewDeps, {
        ...(client ? { clientId: client } : {}),
        ...(region ? { region } : {}),
      })
      return send(
        reply,
        200,
        'Dashboard',
        dashboardPage(viewerOf(request.staffSession as StaffSession), {
          dashboard,
          days,
          queue: { size: waiting.count, oldestSubmittedAt: waiting.oldestSubmittedAt },
          filters: { ...(client ? { client } : {}), ...(region ? { region } : {}) },
          regions: deps.databases.all.map((database) => database.region),
        }),
      )
    },
  )

  const context = {
    deps,
    viewer: (request: FastifyRequest) => viewerOf(request.staffSession as StaffSession),
    send,
    audit,
    requireCsrf,
    requireRole,
    schema,
  }
  consoleCaseRoutes(fastify, context)
  consoleUserRoutes(fastify, context)
  consoleClientRoutes(fastify, context)

  app.get(
    '/console/staff',
    // No automatic HEAD: the staff list (every member's email) is audited.
    { exposeHeadRoute: false, schema: schema('getConsoleStaff', 'Staff (admin; audited)') },
    async (request, reply) => {
      requireRole(request, (role) => role === 'admin')
      const session = request.staffSession as StaffSession
      const members = await listStaff(staffDeps)
      await audit(deps.databases.home, {
        actor: `staff:${session.staff.id}`,
        action: 'staff.list',
        details: { members: members.length },
      })
      return send(reply, 200, 'Staff', staffPage(viewerOf(session), members))
    },
  )
}
