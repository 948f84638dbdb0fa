import cookie from '@fastify/cookie'
import formbody from '@fastify/formbody'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { RegionDatabase } from '../../db/database.ts'
import { AUDIT_ACTIONS, REVIEW_ACTIONS } from '../../db/schema.ts'
import { toAppError } from '../../http/error-handler.ts'
import { AppError } from '../../lib/errors.ts'
import { type Html, htmlResponse, sendPage } from '../../web/page.ts'
import { type AuditEntryInput, appendAudit, listAuditEntries, verifyAuditChain } from '../audit/index.ts'
import { openSessionDocument, type SessionDocument, sessionDocuments } from '../capture/index.ts'
import { countPdfPages, PDF_PAGE_LIMITS, type PdfPageCount, renderPdfPage } from '../documents/index.ts'
import {
  confirmDecision,
  decideCase,
  listCases,
  showCase,
  summarizeCases,
  withdrawDecision,
} from '../review/index.ts'
import {
  listStaff,
  resolveStaffSession,
  type StaffSession,
  signInStaff,
  signOutStaff,
} from '../staff/index.ts'
import { findUserById } from '../users/index.ts'
import { REASON_CATALOGUE } from '../verification/index.ts'
import { type Assignment, claimCase, liveAssignments, notHeldByAnother } from './assignments.ts'
import { caseView, duplicateHoldersOf } from './case-view.ts'
import { consoleClientRoutes } from './clients-routes.ts'
import { loginCsrfValue, sameToken, sessionCsrfToken } from './csrf.ts'
import { dashboardOf } from './dashboard.ts'
import { dashboardPage } from './dashboard-page.ts'
import type { ConsoleDeps } from './deps.ts'
import { caseEvidence } from './evidence-export.ts'
import {
  auditPage,
  CASE_SCRIPT,
  canDecide,
  canReadAudit,
  casePage,
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
const DecisionForm = Type.Object({
  csrf: Csrf,
  action: Type.Union(REVIEW_ACTIONS.map((action) => Type.Literal(action))),
  reasonCode: Type.Optional(Type.String({ maxLength: 64 })),
  note: Type.Optional(Type.String({ maxLength: 2000 })),
})
// Confirm and withdraw name the proposal, so a stale page cannot act on a newer one.
const ConfirmForm = Type.Object({ csrf: Csrf, pendingId: Type.String({ maxLength: 100 }) })
const CaseParams = Type.Object({ sessionId: Type.String({ maxLength: 100 }) })
const DocumentParams = Type.Object({
  sessionId: Type.String({ maxLength: 100 }),
  documentId: Type.String({ maxLength: 100 }),
})
const PageParams = Type.Object({
  sessionId: Type.String({ maxLength: 100 }),
  documentId: Type.String({ maxLength: 100 }),
  page: Type.Integer({ minimum: 1, maximum: PDF_PAGE_LIMITS.maxPages }),
})
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

const REASONS = Object.entries(REASON_CATALOGUE).map(([code, entry]) => ({
  code,
  message: entry.message,
  retryable: entry.retryable,
}))

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
        const signedIn = await signInStaff(
          { ...staffDeps, throttle: deps.staffThrottle },
          {
            email: request.body.email,
            password: request.body.password,
            code: request.body.code.trim(),
            sourceIp: request.ip,
          },
        )
        await audit(deps.databases.home, {
          actor: `staff:${signedIn.staff.id}`,
          action: 'staff.sign_in',
          subject: { type: 'staff', id: signedIn.staff.id },
          details: { sessionId: signedIn.sessionId },
        })
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
      const session = request.staffSession as StaffSession
      await signOutStaff(staffDeps, request.cookies[SESSION_COOKIE] ?? '')
      await audit(deps.databases.home, {
        actor: `staff:${session.staff.id}`,
        action: 'staff.sign_out',
        subject: { type: 'staff', id: session.staff.id },
        details: { sessionId: session.sessionId },
      })
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

  const databaseOf = (region: string) => {
    const database = deps.databases.all.find((each) => each.region === region)
    if (!database) throw new AppError('NOT_FOUND')
    return database
  }

  /** How many pages each of the case's PDFs has, read by the renderer (which may refuse the file). */
  const pdfPagesOf = async (database: RegionDatabase, sessionId: string, documents: SessionDocument[]) => {
    const counts: Record<string, PdfPageCount> = {}
    for (const document of documents) {
      if (document.purged || document.mediaType !== 'application/pdf') continue
      const opened = await openSessionDocument(deps, database.db, sessionId, document.id)
      if (opened) counts[document.id] = await countPdfPages(opened.bytes)
    }
    return counts
  }

  /** The case page, its view audited in the case's region (who saw whose personal data, when). */
  const renderCase = async (
    request: FastifyRequest,
    reply: FastifyReply,
    sessionId: string,
    status: number,
    messages: { error?: string; notice?: string } = {},
  ) => {
    const session = request.staffSession as StaffSession
    const shown = await showCase(reviewDeps, sessionId)
    const database = databaseOf(shown.region)
    const documents = await sessionDocuments(database.db, shown.sessionId)
    const now = deps.clock.now()
    // A reviewer who opens a case waiting for a person takes it (unless someone else holds it); an
    // auditor only looks.
    const holder: Assignment | undefined =
      (shown.outcome === null || shown.outcome === 'review') && canDecide(session.staff.role)
        ? await claimCase(database.db, {
            sessionId: shown.sessionId,
            staffId: session.staff.id,
            staffEmail: session.staff.email,
            now,
            holdMs: deps.config.REVIEW_ASSIGNMENT_MINUTES * 60_000,
          })
        : (await liveAssignments(database.db, [shown.sessionId], now)).get(shown.sessionId)
    const assignment = holder
      ? {
          staffEmail: holder.staffEmail,
          until: new Date(holder.until).toISOString(),
          mine: holder.staffId === session.staff.id,
        }
      : null
    // The check compares within the client only; the page re-checks that before it links anyone, so a
    // user of another client is never named on it.
    const holders = duplicateHoldersOf(shown)
    const duplicates =
      holders &&
      (
        await Promise.all(
          holders.map(async (holder) => {
            const other = await findUserById(database.db, holder.userId)
            return other?.client_id === shown.clientId ? [holder] : []
          }),
        )
      ).flat()
    const pdfPages = await pdfPagesOf(database, shown.sessionId, documents)
    await audit(database, {
      actor: `staff:${session.staff.id}`,
      action: 'case.view',
      subject: { type: 'session', id: shown.sessionId },
      details: { userId: shown.userId, clientId: shown.clientId },
    })
    return send(
      reply,
      status,
      `Case ${shown.sessionId}`,
      casePage(
        viewerOf(session),
        caseView(shown, documents, assignment, {
          duplicates,
          pdfPages,
          maxPdfPages: PDF_PAGE_LIMITS.maxPages,
        }),
        {
          reasons: REASONS,
          ...messages,
        },
      ),
      CASE_SCRIPT,
    )
  }

  /** What the case page says after a post redirected to it. */
  const noticeOf = (query: Record<string, string | undefined>) =>
    query.decided
      ? 'Decision recorded.'
      : query.proposed
        ? 'Decision proposed: it takes effect once another reviewer confirms it.'
        : query.confirmed
          ? 'Decision confirmed and applied.'
          : query.withdrawn
            ? 'Proposal withdrawn: the case waits for a decision.'
            : undefined

  app.get(
    '/console/cases/:sessionId',
    // No automatic HEAD: opening a case assigns it and is audited, which a HEAD must not do.
    {
      exposeHeadRoute: false,
      schema: { ...schema('getConsoleCase', 'One case: evidence, checks, decision'), params: CaseParams },
    },
    async (request, reply) => {
      const notice = noticeOf(request.query as Record<string, string | undefined>)
      return renderCase(request, reply, request.params.sessionId, 200, notice ? { notice } : {})
    },
  )

  app.get(
    '/console/cases/:sessionId/documents/:documentId',
    {
      exposeHeadRoute: false,
      schema: {
        tags: ['console'],
        operationId: 'getConsoleCaseDocument',
        summary: "One of a case's photos, decrypted for a signed-in staff member (never cached; audited)",
        params: DocumentParams,
        response: {
          200: {
            description: 'The JPEG',
            content: { 'image/jpeg': { schema: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }) } },
          },
        },
      },
    },
    async (request, reply) => {
      const session = request.staffSession as StaffSession
      const shown = await showCase(reviewDeps, request.params.sessionId)
      const database = databaseOf(shown.region)
      const opened = await openSessionDocument(deps, database.db, shown.sessionId, request.params.documentId)
      // PDFs (proof of address) are never served as uploaded: a file from a user must not run in a
      // staff member's browser.
      if (opened?.document.mediaType !== 'image/jpeg') throw new AppError('NOT_FOUND')
      await audit(database, {
        actor: `staff:${session.staff.id}`,
        action: 'case.view_image',
        subject: { type: 'document', id: opened.document.id },
        details: { sessionId: shown.sessionId, slot: opened.document.slot },
      })
      return reply
        .header('cache-control', 'no-store')
        .header('content-disposition', 'inline')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .type('image/jpeg')
        .send(opened.bytes)
    },
  )

  app.get(
    '/console/cases/:sessionId/documents/:documentId/pages/:page',
    {
      exposeHeadRoute: false,
      schema: {
        tags: ['console'],
        operationId: 'getConsoleCaseDocumentPage',
        summary:
          "A page of a case's PDF, drawn on the server as a PNG (never the PDF; never cached; audited)",
        params: PageParams,
        response: {
          200: {
            description: 'The PNG',
            content: { 'image/png': { schema: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }) } },
          },
        },
      },
    },
    async (request, reply) => {
      const session = request.staffSession as StaffSession
      const shown = await showCase(reviewDeps, request.params.sessionId)
      const database = databaseOf(shown.region)
      const opened = await openSessionDocument(deps, database.db, shown.sessionId, request.params.documentId)
      if (opened?.document.mediaType !== 'application/pdf') throw new AppError('NOT_FOUND')
      const rendered = await renderPdfPage(opened.bytes, request.params.page)
      if (!rendered.ok)
        throw rendered.problem === 'no-such-page'
          ? new AppError('NOT_FOUND')
          : new AppError('DOCUMENT_NOT_RENDERED', { internal: `PDF page not rendered: ${rendered.problem}` })
      await audit(database, {
        actor: `staff:${session.staff.id}`,
        action: 'case.view_image',
        subject: { type: 'document', id: opened.document.id },
        details: { sessionId: shown.sessionId, slot: opened.document.slot, page: request.params.page },
      })
      return reply
        .header('cache-control', 'no-store')
        .header('content-disposition', 'inline')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .type('image/png')
        .send(rendered.png)
    },
  )

  app.get(
    '/console/cases/:sessionId/evidence',
    {
      exposeHeadRoute: false,
      schema: {
        tags: ['console'],
        operationId: 'exportConsoleCaseEvidence',
        summary: "One case's evidence as a JSON file, for an auditor or admin (audited)",
        params: CaseParams,
        response: {
          200: {
            description: 'The evidence file',
            content: { 'application/json': { schema: Type.Unsafe<string>({ type: 'string' }) } },
          },
        },
      },
    },
    async (request, reply) => {
      requireRole(request, canReadAudit)
      const session = request.staffSession as StaffSession
      const shown = await showCase(reviewDeps, request.params.sessionId)
      const database = databaseOf(shown.region)
      const documents = await sessionDocuments(database.db, shown.sessionId)
      const subjects = [shown.sessionId, ...documents.map((document) => document.id)]
      const entries = (
        await Promise.all(
          subjects.map((subjectId) => listAuditEntries(database.db, { subjectId, limit: 1000 })),
        )
      )
        .flat()
        .sort((a, b) => a.sequence - b.sequence)
      // The export is itself recorded before it is handed out (the entry is in the chain it reports on).
      await audit(database, {
        actor: `staff:${session.staff.id}`,
        action: 'case.export',
        subject: { type: 'session', id: shown.sessionId },
        details: { entries: entries.length },
      })
      const evidence = caseEvidence({
        shown,
        documents,
        audit: entries,
        chain: await verifyAuditChain(database, deps.keys),
        exportedAt: new Date(deps.clock.now()).toISOString(),
        exportedBy: { staffId: session.staff.id, email: session.staff.email },
      })
      return reply
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="case-${shown.sessionId}-evidence.json"`)
        .type('application/json; charset=utf-8')
        .send(JSON.stringify(evidence, null, 2))
    },
  )

  app.post(
    '/console/cases/:sessionId/decision',
    { schema: { ...schema('decideConsoleCase', 'Decide a case'), params: CaseParams, body: DecisionForm } },
    async (request, reply) => {
      requireCsrf(request, request.body.csrf)
      requireRole(request, canDecide)
      const session = request.staffSession as StaffSession
      const { action, reasonCode, note } = request.body
      let proposed = false
      try {
        const decided = await decideCase(
          reviewDeps,
          request.params.sessionId,
          {
            action,
            reviewer: session.staff.email,
            ...(reasonCode ? { reasonCode } : {}),
            ...(note ? { note } : {}),
          },
          `staff:${session.staff.id}`,
          // Someone else is working on the case: their decision, not a second one, is what counts.
          { guard: notHeldByAnother(session.staff.id, deps.clock) },
        )
        // Four-eyes: held as a proposal, the case still waits (see the review module).
        proposed = decided.pendingDecision !== null
      } catch (error) {
        // A form that needs fixing comes back with its message; nothing was written.
        if (error instanceof AppError && error.code === 'VALIDATION_ERROR')
          return renderCase(request, reply, request.params.sessionId, 422, {
            error: error.publicMessage.replace('--reason', 'A reason').replace('--note', 'The note'),
          })
        if (error instanceof AppError && error.code === 'CONFLICT')
          throw new AppError('CONFLICT', {
            message:
              'This case was already decided (by someone else, or by the checks). Nothing was changed.',
          })
        throw error
      }
      const done = proposed ? 'proposed' : 'decided'
      return reply.redirect(`/console/cases/${encodeURIComponent(request.params.sessionId)}?${done}=1`, 303)
    },
  )

  app.post(
    '/console/cases/:sessionId/confirm',
    {
      schema: {
        ...schema('confirmConsoleCase', "Confirm another reviewer's proposed decision (four-eyes)"),
        params: CaseParams,
        body: ConfirmForm,
      },
    },
    async (request, reply) => {
      requireCsrf(request, request.body.csrf)
      requireRole(request, canDecide)
      const session = request.staffSession as StaffSession
      try {
        await confirmDecision(
          reviewDeps,
          request.params.sessionId,
          request.body.pendingId,
          session.staff.email,
          `staff:${session.staff.id}`,
        )
      } catch (error) {
        // A proposal no longer open (PROPOSAL_RESOLVED) says so itself; a case decided meanwhile is told here.
        if (error instanceof AppError && error.code === 'CONFLICT')
          throw new AppError('CONFLICT', {
            message:
              'This case was already decided (by someone else, or by the checks). Nothing was changed.',
          })
        throw error
      }
      return reply.redirect(`/console/cases/${encodeURIComponent(request.params.sessionId)}?confirmed=1`, 303)
    },
  )

  app.post(
    '/console/cases/:sessionId/withdraw',
    {
      schema: {
        ...schema('withdrawConsoleProposal', 'Withdraw the decision you proposed (four-eyes)'),
        params: CaseParams,
        body: ConfirmForm,
      },
    },
    async (request, reply) => {
      requireCsrf(request, request.body.csrf)
      requireRole(request, canDecide)
      const session = request.staffSession as StaffSession
      await withdrawDecision(
        reviewDeps,
        request.params.sessionId,
        request.body.pendingId,
        session.staff.email,
        `staff:${session.staff.id}`,
      )
      return reply.redirect(`/console/cases/${encodeURIComponent(request.params.sessionId)}?withdrawn=1`, 303)
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
        // An actor filter may be longer than an audit detail may be (free text the form accepts).
        details: {
          ...criteria,
          ...(actor ? { actor: actor.slice(0, 200) } : {}),
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
    send: (reply: FastifyReply, status: number, title: string, body: Html) =>
      send(reply, status, title, body),
    audit,
    requireCsrf,
    requireRole,
    schema,
  }
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
