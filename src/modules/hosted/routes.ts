import cookie from '@fastify/cookie'
import formbody from '@fastify/formbody'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyReply } from 'fastify'
import { Type } from 'typebox'
import { html, sendPage } from '../../web/page.ts'
import { en } from '../../web/strings.ts'
import { BROWSER_COOKIE, type CaptureRouteDeps, captureRoutes } from '../capture/routes.ts'
import { getClient } from '../clients/service.ts'
import { claimLink, type GoneReason, inspectLink } from '../verification/claims.ts'

const GONE: Record<GoneReason, { title: string; body: string }> = {
  used: { title: en.goneTitleUsed, body: en.goneBodyUsed },
  expired: { title: en.goneTitleExpired, body: en.goneBodyExpired },
  submitted: { title: en.goneTitleSubmitted, body: en.goneBodySubmitted },
}

const message = (reply: FastifyReply, status: number, title: string, body: string) =>
  sendPage(reply, status, {
    title,
    body: html`<p class="brand">${en.productName}</p><div class="card"><h1>${title}</h1><p>${body}</p></div>`,
  })

const gone = (reply: FastifyReply, reason: GoneReason) =>
  message(reply, 410, GONE[reason].title, GONE[reason].body)
const invalid = (reply: FastifyReply) => message(reply, 404, en.invalidTitle, en.invalidBody)

const Token = Type.Object({ token: Type.String({ maxLength: 200 }) })
const htmlResponse = (description: string) => ({
  description,
  content: { 'text/html': { schema: { type: 'string' } } },
})

/**
 * The pages behind a session URL. GET never changes anything (link previews must not use up a
 * single-use link); the page posts back to claim the session for this browser, which gets an HttpOnly,
 * SameSite=Strict cookie and is sent on to the clean /verify URL, so the token stays out of the address
 * bar, the history and any Referer.
 */
export const hostedRoutes =
  (deps: CaptureRouteDeps & { secureCookies: boolean }) => async (fastify: FastifyInstance) => {
    await fastify.register(cookie)
    await fastify.register(formbody)
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

    app.get(
      '/verify/:token',
      {
        schema: {
          tags: ['hosted pages'],
          summary: 'Session link: a page that claims the session for this browser',
          params: Token,
          response: {
            200: htmlResponse('Opening page'),
            404: htmlResponse('Not a valid link'),
            410: htmlResponse('Link used or expired'),
          },
        },
      },
      async (request, reply) => {
        const link = await inspectLink(deps, request.params.token)
        if (link.state === 'invalid') return invalid(reply)
        if (link.state === 'gone') return gone(reply, link.reason)
        return sendPage(reply, 200, {
          title: en.openingTitle,
          body: html`<p class="brand">${en.productName}</p><div class="card"><h1>${en.openingTitle}</h1><p>${en.openingBody}</p>
<form id="claim" method="post"><button type="submit">${en.openingButton}</button></form></div>`,
          script: "document.getElementById('claim').submit()",
        })
      },
    )

    app.post(
      '/verify/:token',
      {
        schema: {
          tags: ['hosted pages'],
          summary: 'Claim the session for this browser, then continue at /verify',
          params: Token,
          response: {
            303: htmlResponse('On to /verify'),
            404: htmlResponse('Not a valid link'),
            410: htmlResponse('Link used or expired'),
          },
        },
      },
      async (request, reply) => {
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

    await fastify.register(captureRoutes(deps))
  }
