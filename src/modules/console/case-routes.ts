import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { RegionDatabase } from '../../db/database.ts'
import { REVIEW_ACTIONS } from '../../db/schema.ts'
import { AppError } from '../../lib/errors.ts'
import { listAuditEntries, verifyAuditChain } from '../audit/index.ts'
import { openSessionDocument, type SessionDocument, sessionDocuments } from '../capture/index.ts'
import { countPdfPages, PDF_PAGE_LIMITS, type PdfPageCount, renderPdfPage } from '../documents/index.ts'
import { confirmDecision, decideCase, showCase, withdrawDecision } from '../review/index.ts'
import type { StaffSession } from '../staff/index.ts'
import { findUserById } from '../users/index.ts'
import { REASON_CATALOGUE } from '../verification/index.ts'
import { type Assignment, assignmentGuard, claimCase, liveAssignments } from './assignments.ts'
import { caseView, duplicateHoldersOf } from './case-view.ts'
import type { ConsoleContext } from './context.ts'
import { caseEvidence } from './evidence-export.ts'
import { CASE_SCRIPT, canDecide, canReadAudit, casePage } from './pages.ts'

const Csrf = Type.String({ maxLength: 100 })
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
const REASONS = Object.entries(REASON_CATALOGUE).map(([code, entry]) => ({
  code,
  message: entry.message,
  retryable: entry.retryable,
}))

/**
 * A picture of a user's document for a staff member's browser: never cached, and sandboxed so that
 * nothing in it could run as a page of the console.
 */
const sendPicture = (reply: FastifyReply, type: 'image/jpeg' | 'image/png', bytes: Buffer) =>
  reply
    .header('cache-control', 'no-store')
    .header('content-disposition', 'inline')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .type(type)
    .send(bytes)

/**
 * A case (issue #13 items 3 and 4): its page with the evidence (every view audited), its photos and PDF
 * pages through authorized never-cached routes, the evidence export, and the decisions, which all go
 * through the review module's decision seam.
 */
export const consoleCaseRoutes = (fastify: FastifyInstance, context: ConsoleContext) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const { deps } = context

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
    const shown = await showCase(deps, sessionId)
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
    // The holders as they are now: the check's evidence gives their state when it ran. The check compares
    // within the client only; the page re-checks that before it links anyone, so a user of another
    // client is never named on it.
    const holders = duplicateHoldersOf(shown)
    const duplicates =
      holders &&
      (
        await Promise.all(
          holders.map(async (holder) => {
            const other = await findUserById(database.db, holder.userId)
            return other?.client_id === shown.clientId
              ? [{ ...holder, verificationState: other.verification_state }]
              : []
          }),
        )
      ).flat()
    const pdfPages = await pdfPagesOf(database, shown.sessionId, documents)
    await context.audit(database, {
      actor: `staff:${session.staff.id}`,
      action: 'case.view',
      subject: { type: 'session', id: shown.sessionId },
      details: { userId: shown.userId, clientId: shown.clientId },
    })
    return context.send(
      reply,
      status,
      `Case ${shown.sessionId}`,
      casePage(
        context.viewer(request),
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
      schema: {
        ...context.schema('getConsoleCase', 'One case: evidence, checks, decision'),
        params: CaseParams,
      },
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
      const shown = await showCase(deps, request.params.sessionId)
      const database = databaseOf(shown.region)
      const opened = await openSessionDocument(deps, database.db, shown.sessionId, request.params.documentId)
      // PDFs (proof of address) are never served as uploaded: a file from a user must not run in a
      // staff member's browser.
      if (opened?.document.mediaType !== 'image/jpeg') throw new AppError('NOT_FOUND')
      await context.audit(database, {
        actor: `staff:${session.staff.id}`,
        action: 'case.view_image',
        subject: { type: 'document', id: opened.document.id },
        details: { sessionId: shown.sessionId, slot: opened.document.slot },
      })
      return sendPicture(reply, 'image/jpeg', opened.bytes)
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
      const shown = await showCase(deps, request.params.sessionId)
      const database = databaseOf(shown.region)
      const opened = await openSessionDocument(deps, database.db, shown.sessionId, request.params.documentId)
      if (opened?.document.mediaType !== 'application/pdf') throw new AppError('NOT_FOUND')
      const rendered = await renderPdfPage(opened.bytes, request.params.page)
      if (!rendered.ok)
        throw rendered.problem === 'no-such-page'
          ? new AppError('NOT_FOUND')
          : rendered.problem === 'busy'
            ? new AppError('SERVICE_UNAVAILABLE', {
                message: 'Too many documents are being drawn right now; reload the page in a moment.',
                headers: { 'retry-after': '5' },
              })
            : new AppError('DOCUMENT_NOT_RENDERED', {
                internal: `PDF page not rendered: ${rendered.problem}`,
              })
      await context.audit(database, {
        actor: `staff:${session.staff.id}`,
        action: 'case.view_image',
        subject: { type: 'document', id: opened.document.id },
        details: { sessionId: shown.sessionId, slot: opened.document.slot, page: request.params.page },
      })
      return sendPicture(reply, 'image/png', rendered.png)
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
      context.requireRole(request, canReadAudit)
      const session = request.staffSession as StaffSession
      const shown = await showCase(deps, request.params.sessionId)
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
      await context.audit(database, {
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
    {
      schema: {
        ...context.schema('decideConsoleCase', 'Decide a case'),
        params: CaseParams,
        body: DecisionForm,
      },
    },
    async (request, reply) => {
      context.requireCsrf(request, request.body.csrf)
      context.requireRole(request, canDecide)
      const session = request.staffSession as StaffSession
      const { action, reasonCode, note } = request.body
      let proposed = false
      try {
        const decided = await decideCase(
          deps,
          request.params.sessionId,
          {
            action,
            reviewer: session.staff.email,
            ...(reasonCode ? { reasonCode } : {}),
            ...(note ? { note } : {}),
          },
          `staff:${session.staff.id}`,
          // Someone else is working on the case: their decision, not a second one, is what counts.
          { guard: assignmentGuard(session.staff.id, deps.clock) },
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
        ...context.schema('confirmConsoleCase', "Confirm another reviewer's proposed decision (four-eyes)"),
        params: CaseParams,
        body: ConfirmForm,
      },
    },
    async (request, reply) => {
      context.requireCsrf(request, request.body.csrf)
      context.requireRole(request, canDecide)
      const session = request.staffSession as StaffSession
      try {
        await confirmDecision(
          deps,
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
        ...context.schema('withdrawConsoleProposal', 'Withdraw the decision you proposed (four-eyes)'),
        params: CaseParams,
        body: ConfirmForm,
      },
    },
    async (request, reply) => {
      context.requireCsrf(request, request.body.csrf)
      context.requireRole(request, canDecide)
      const session = request.staffSession as StaffSession
      await withdrawDecision(
        deps,
        request.params.sessionId,
        request.body.pendingId,
        session.staff.email,
        `staff:${session.staff.id}`,
      )
      return reply.redirect(`/console/cases/${encodeURIComponent(request.params.sessionId)}?withdrawn=1`, 303)
    },
  )
}
