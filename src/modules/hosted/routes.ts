import cookie from '@fastify/cookie'
import formbody from '@fastify/formbody'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { AppError, type ErrorCode } from '../../lib/errors.ts'
import { htmlResponse, sendPage } from '../../web/page.ts'
import { en } from '../../web/strings.ts'
import { accountRefusal } from '../capture/index.ts'
import { getClient } from '../clients/index.ts'
import { findUserById } from '../users/index.ts'
import { browserSession, claimLink, type GoneReason, inspectLink, type LinkState } from './claims.ts'
import { sendErrorPage } from './errors.ts'
import { BROWSER_COOKIE, flowRoutes, type HostedDeps } from './flow-routes.ts'
import { OPENING_SCRIPT, openingPage } from './pages.ts'

const GONE: Record<GoneReason, ErrorCode> = {
  used: 'LINK_USED',
  expired: 'SESSION_EXPIRED',
  submitted: 'LINK_SUBMITTED',
}

const gone = (reply: FastifyReply, reason: GoneReason) => sendErrorPage(reply, new AppError(GONE[reason]))
const invalid = (reply: FastifyReply) => sendErrorPage(reply, new AppError('LINK_INVALID'))

const Token = Type.Object({ token: Type.String({ maxLength: 200 }) })

/**
 * The pages behind a session URL. GET never changes anything (link previews must not use up a
 * single-use link); the page posts back to claim the session for this browser, which gets an HttpOnly,
 * SameSite=Strict cookie and is sent on to the clean /verify URL, so the token stays out of the address
 * bar, the history and any Referer.
 */
export const hostedRoutes =
  (deps: HostedDeps & { secureCookies: boolean; config: { PUBLIC_URL: string } }) =>
  async (fastify: FastifyInstance) => {
    await fastify.register(cookie)
    await fastify.register(formbody)
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
    const ownOrigin = new URL(deps.config.PUBLIC_URL).origin

    /**
     * A claim must come from the link's own page (its form posts to itself), never from another site: a
     * page elsewhere could otherwise claim a link it got hold of in a victim's browser, or use it up.
     * Sec-Fetch-Site decides when the browser sends it (`same-origin`: our page; `none`: opened from an
     * app or typed). Otherwise an Origin, when there is one, must be ours. `Origin: null` says nothing: our
     * pages have no referrer, and Chromium then sends null on their own same-origin posts. A request with
     * neither header (old browsers) is let through: the link alone decides then.
     */
    const fromAnotherSite = (request: FastifyRequest) => {
      const site = request.headers['sec-fetch-site']
      if (site !== undefined) return site !== 'same-origin' && site !== 'none'
      const origin = request.headers.origin
      return origin !== undefined && origin !== 'null' && origin !== ownOrigin
    }

    /** Why a suspended user, or a user of a disabled client, gets the "not available" page, if so. */
    const accountRefused = async (link: Extract<LinkState, { state: 'open' }>) => {
      const user = await findUserById(link.database.db, link.session.user_id)
      if (!user) return new AppError('NOT_AUTHORIZED', { internal: 'user of the session is gone' })
      return accountRefusal(user, await getClient(deps, link.session.client_id))
    }

    app.get(
      '/verify/:token',
      {
        schema: {
          operationId: 'openVerificationLink',
          tags: ['hosted pages'],
          summary: 'Session link: a page that claims the session for this browser',
          params: Token,
          response: {
            200: htmlResponse('Opening page'),
            303: htmlResponse('This browser claimed the session already: on to /verify'),
            403: htmlResponse('The account cannot be verified (suspended user or disabled client)'),
            404: htmlResponse('Not a valid link'),
            410: htmlResponse('Link used or expired'),
          },
        },
      },
      async (request, reply) => {
        const link = await inspectLink(deps, request.params.token)
        if (link.state === 'invalid') return invalid(reply)
        if (link.state === 'gone') return gone(reply, link.reason)
        const refusal = await accountRefused(link)
        if (refusal) return sendErrorPage(reply, refusal)
        if (link.session.kind === 'user' && link.session.status !== 'issued') {
          // Claimed already: the browser holding it goes on; any other gets "used" at once, without the
          // page whose script would post the claim (so a scanner that runs scripts learns nothing more).
          const held = await browserSession(deps, request.cookies[BROWSER_COOKIE])
          if (held.state !== 'none' && held.state !== 'expired' && held.session.id === link.session.id)
            return reply.code(303).header('cache-control', 'no-store').redirect('/verify', 303)
          return gone(reply, 'used')
        }
        return sendPage(reply, 200, { title: en.openingTitle, body: openingPage(), script: OPENING_SCRIPT })
      },
    )

    app.post(
      '/verify/:token',
      {
        schema: {
          operationId: 'claimVerificationLink',
          tags: ['hosted pages'],
          summary: 'Claim the session for this browser, then continue at /verify',
          params: Token,
          response: {
            303: htmlResponse('On to /verify'),
            403: htmlResponse('Posted from another site, or the account cannot be verified'),
            404: htmlResponse('Not a valid link'),
            410: htmlResponse('Link used or expired'),
          },
        },
      },
      async (request, reply) => {
        if (fromAnotherSite(request)) return sendErrorPage(reply, new AppError('CROSS_SITE_REQUEST'))
        const link = await inspectLink(deps, request.params.token)
        const refusal = link.state === 'open' ? await accountRefused(link) : undefined
        if (refusal) return sendErrorPage(reply, refusal)
        const result = await claimLink(deps, request.params.token, request.cookies[BROWSER_COOKIE])
        if (result.state === 'invalid') return invalid(reply)
        if (result.state === 'gone') return gone(reply, result.reason)
        if (result.state === 'claimed') {
          // A client that embeds the pages in an iframe on its own site needs the cookie sent in that
          // third-party context: SameSite=None and Partitioned (CHIPS), which browsers take only over
          // https. Forms stay protected by their one-time CSRF tokens. Everyone else gets Strict.
          const client = await getClient(deps, result.session.client_id)
          const framed = client.frameAncestors.length > 0 && deps.secureCookies
          reply.setCookie(BROWSER_COOKIE, result.cookie, {
            path: '/verify',
            httpOnly: true,
            sameSite: framed ? 'none' : 'strict',
            partitioned: framed,
            secure: deps.secureCookies,
            expires: new Date(result.session.expires_at),
          })
        }
        return reply.code(303).header('cache-control', 'no-store').redirect('/verify', 303)
      },
    )

    await fastify.register(flowRoutes(deps))
  }
