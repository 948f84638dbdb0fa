import type { FastifyReply, FastifyRequest } from 'fastify'
import { sendError } from '../../http/error-handler.ts'
import type { AppError, ErrorCode } from '../../lib/errors.ts'
import { sendPage } from '../../web/page.ts'
import { en } from '../../web/strings.ts'
import { messagePage } from './pages.ts'

/**
 * The hosted surface's two error renderers: the page script's requests (Accept: application/json) get
 * the API's body `{message, errorCode, ...}`, browsers get a page. Both take the status from the
 * catalogue through the AppError, so no route writes a status of its own.
 */

const PAGE_TEXTS: Partial<Record<ErrorCode, { title: string; body: string }>> = {
  LINK_INVALID: { title: en.invalidTitle, body: en.invalidBody },
  LINK_USED: { title: en.goneTitleUsed, body: en.goneBodyUsed },
  LINK_SUBMITTED: { title: en.goneTitleSubmitted, body: en.goneBodySubmitted },
  SESSION_EXPIRED: { title: en.goneTitleExpired, body: en.goneBodyExpired },
  NO_BROWSER_SESSION: { title: en.noneTitle, body: en.noneBody },
  CROSS_SITE_REQUEST: { title: en.crossSiteTitle, body: en.crossSiteBody },
  // A suspended user and a disabled client get the same page: it does not say which.
  ACCOUNT_DISABLED: { title: en.blockedTitle, body: en.blockedBody },
  NOT_AUTHORIZED: { title: en.blockedTitle, body: en.blockedBody },
  ALREADY_SUBMITTED: { title: en.alreadySubmittedTitle, body: en.goneBodySubmitted },
  FLOW_STEP_MISSING: { title: en.stepMissingTitle, body: en.stepMissingBody },
}

export const wantsJson = (request: FastifyRequest) =>
  (request.headers.accept ?? '').includes('application/json')

/**
 * The page for an error, at the error's status. `textsOf` names another code whose page fits better
 * (a refused form whose step is no longer open explains the missing step, whatever refused it).
 */
export const sendErrorPage = (reply: FastifyReply, error: AppError, textsOf: ErrorCode = error.code) => {
  if (error.headers) reply.headers(error.headers)
  const texts = PAGE_TEXTS[textsOf] ?? { title: en.errorTitle, body: error.publicMessage }
  return sendPage(reply, error.status, { title: texts.title, body: messagePage(texts.title, texts.body) })
}

/** JSON for the page script, a page for a browser. */
export const sendHostedError = (request: FastifyRequest, reply: FastifyReply, error: AppError) =>
  wantsJson(request) ? sendError(reply, error) : sendErrorPage(reply, error)
