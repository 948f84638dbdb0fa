import cookie from '@fastify/cookie'
import formbody from '@fastify/formbody'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { toAppError } from '../../http/error-handler.ts'
import { resolveRegion } from '../../http/region.ts'
import { AppError, isAppError } from '../../lib/errors.ts'
import { htmlResponse, sendPage } from '../../web/page.ts'
import { checkCredentials, sendLoginOtp } from '../auth/index.ts'
import { type Client, type ClientScope, getClient } from '../clients/index.ts'
import { findUserById } from '../users/index.ts'
import {
  type AuthorizationRequest,
  readAuthorizationRequest,
  redirectWith,
  signAuthorizationRequest,
} from './authorization-request.ts'
import {
  CSRF_COOKIE,
  consentTicket,
  newCsrfValue,
  openPending,
  readConsentTicket,
  sealPending,
  submittedCsrf,
} from './browser-state.ts'
import { clientByKey, isRegisteredRedirect } from './clients.ts'
import { issueCode } from './codes.ts'
import type { OAuthDeps } from './deps.ts'
import { describeOAuthError, oauthErrorName } from './errors.ts'
import { consentPage, messageOnlyPage, onboardingIncompletePage, otpPage, signInPage } from './pages.ts'
import { CHALLENGE_PATTERN } from './pkce.ts'
import { validateAuthorizationRequest } from './requests.ts'
import { parseScopes } from './scopes.ts'

/**
 * The callback's app_id. MetaMask only requires it to be non-empty; it takes the region from the
 * access token's claim when there is one, and Verity's tokens are opaque (decision 187).
 */
const APP_ID = { intl: 'VERITY', us: 'VERITY_US' } as const

const CHALLENGE = new RegExp(CHALLENGE_PATTERN)

/** Node joins a repeated header into one value; the type still allows a list. */
const firstHeader = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value

const optional = (maxLength: number) => Type.Optional(Type.String({ maxLength }))

/** Where the consent form may lead: the redirect URI's origin, or its scheme for an app link. */
const formActionFor = (redirectUri: string): string => {
  const url = new URL(redirectUri)
  return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : url.protocol
}

const errorPage = (reply: FastifyReply, status: number, title: string, body: string) =>
  sendPage(reply, status, { title, body: messageOnlyPage(title, body) })

/**
 * The hosted OAuth2 authorization (/v1/auth/oauth2/authorize): Verity's own sign-in page (email,
 * password, the OTP when the account has one), then a consent page naming the client and the scopes,
 * then the redirect with code, state and app_id. Nothing is stored until consent: the request travels
 * signed, the browser's state is in its forms and one cookie.
 */
export const hostedOAuthRoutes = (deps: OAuthDeps) => async (fastify: FastifyInstance) => {
  await fastify.register(cookie)
  await fastify.register(formbody)
  fastify.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const appError = toAppError(error, request)
    if (appError.status >= 500) request.log.error({ err: error, errorCode: appError.code }, 'request failed')
    return errorPage(reply, appError.status, 'Something went wrong', appError.publicMessage)
  })
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const key = deps.keys.oauthSessions

  const csrfFor = (request: FastifyRequest, reply: FastifyReply): string => {
    const existing = request.cookies[CSRF_COOKIE]
    if (existing && existing.length <= 100) return existing
    const value = newCsrfValue()
    reply.setCookie(CSRF_COOKIE, value, {
      path: '/v1/auth/oauth2/authorize',
      httpOnly: true,
      sameSite: 'strict',
      secure: deps.secureCookies,
    })
    return value
  }

  const scopeOf = (client: Client, authorization: AuthorizationRequest): ClientScope => ({
    client,
    region: authorization.region,
    database: deps.databases.byRegion[authorization.region],
  })

  const expired = (reply: FastifyReply) =>
    errorPage(
      reply,
      400,
      'This sign-in has expired',
      'Sign-in pages last 10 minutes. Go back to the app and start again.',
    )

  const forged = (reply: FastifyReply) =>
    sendPage(reply, 403, {
      title: 'Page out of date',
      body: messageOnlyPage('Page out of date', new AppError('CSRF_REJECTED').publicMessage),
    })

  /** The session's client, still active, and the request. */
  const sessionOf = async (session: string) => {
    const authorization = readAuthorizationRequest(key, deps.clock, session)
    if (!authorization) return undefined
    const client = await getClient(deps, authorization.clientId)
    return client.status === 'active' ? { authorization, client } : undefined
  }

  const showConsent = async (
    reply: FastifyReply,
    context: { client: Client; authorization: AuthorizationRequest; session: string; csrf: string },
    user: { id: string; email: string },
  ) =>
    sendPage(reply, 200, {
      title: `Allow ${context.client.name}?`,
      body: consentPage({
        clientName: context.client.name,
        email: user.email,
        scopes: context.authorization.scopes,
        csrf: context.csrf,
        ticket: consentTicket(key, deps.clock, context.csrf, context.session, user.id),
      }),
      formActions: [formActionFor(context.authorization.redirectUri)],
    })

  app.get(
    '/v1/auth/oauth2/authorize',
    {
      config: { clientAuth: 'oauth' },
      schema: {
        operationId: 'oauth2Authorize',
        tags: ['oauth'],
        summary: 'The hosted sign-in page of an authorization request (PKCE S256 required)',
        querystring: Type.Object({
          client_id: optional(200),
          redirect_uri: optional(2000),
          response_type: optional(20),
          code_challenge: optional(200),
          code_challenge_method: optional(10),
          state: optional(500),
          scope: optional(500),
          prompt: optional(50),
          region: optional(10),
        }),
        response: {
          200: htmlResponse('The sign-in page'),
          303: htmlResponse('Back to the redirect URI with error and error_description (RFC 6749 §4.1.2.1)'),
          400: htmlResponse('Unknown client, or a redirect URI it did not register (no redirect then)'),
        },
      },
    },
    async (request, reply) => {
      const query = request.query
      let client: Client
      try {
        client = await clientByKey(deps, query.client_id)
      } catch {
        return errorPage(reply, 400, 'Unknown app', 'The app that sent you here is not known. Go back to it.')
      }
      const redirectUri =
        query.redirect_uri ?? (client.redirectUris.length === 1 ? client.redirectUris[0] : undefined)
      if (redirectUri === undefined || !isRegisteredRedirect(client, redirectUri))
        return errorPage(
          reply,
          400,
          'Wrong return address',
          'The app asked to return to an address it did not register.',
        )
      let authorization: AuthorizationRequest
      try {
        if (query.code_challenge === undefined)
          throw new AppError('OAUTH_INVALID_REQUEST', {
            message: 'Missing required parameter: code_challenge',
          })
        if (!CHALLENGE.test(query.code_challenge))
          throw new AppError('OAUTH_INVALID_REQUEST', { message: 'Invalid parameter: code_challenge' })
        authorization = validateAuthorizationRequest(client, {
          redirect_uri: redirectUri,
          response_type: query.response_type ?? '',
          code_challenge: query.code_challenge,
          code_challenge_method: query.code_challenge_method ?? '',
          state: query.state,
          scopes: parseScopes(query.scope),
          region: resolveRegion({
            usEnvHeader: firstHeader(request.headers['x-us-env']),
            regionParam: query.region,
          }),
        })
      } catch (error) {
        if (!isAppError(error) || error.status >= 500) throw error
        const location = redirectWith(redirectUri, {
          error: oauthErrorName(error, false),
          error_description: describeOAuthError(error),
          state: query.state ?? null,
        })
        return reply.code(303).header('cache-control', 'no-store').redirect(location, 303)
      }
      return sendPage(reply, 200, {
        title: `Sign in to ${client.name}`,
        body: signInPage({
          clientName: client.name,
          session: signAuthorizationRequest(key, deps.clock, authorization),
          csrf: csrfFor(request, reply),
        }),
      })
    },
  )

  app.post(
    '/v1/auth/oauth2/authorize/sign-in',
    {
      config: { clientAuth: 'oauth' },
      schema: {
        operationId: 'oauth2SignIn',
        tags: ['oauth'],
        summary: 'The sign-in form: email and password, then the OTP when the account has one',
        body: Type.Object({
          session: Type.String({ maxLength: 4000 }),
          csrf: Type.String({ maxLength: 100 }),
          email: optional(254),
          password: optional(1024),
          otpCode: optional(16),
          pending: optional(4000),
        }),
        response: {
          200: htmlResponse('The consent page, the OTP page or the onboarding-incomplete page'),
          400: htmlResponse('The sign-in expired, or a wrong OTP'),
          401: htmlResponse('Wrong email or password, or the account is locked for a while'),
          403: htmlResponse('A form of another browser, or a disabled account'),
          429: htmlResponse('Too many failed sign-ins from this address'),
        },
      },
    },
    async (request, reply) => {
      const body = request.body
      const csrf = submittedCsrf(request.cookies[CSRF_COOKIE], body.csrf)
      if (csrf === undefined) return forged(reply)
      const context = await sessionOf(body.session)
      if (!context) return expired(reply)
      const { client, authorization } = context
      const pending = body.pending ? openPending(key, deps.clock, csrf, body.pending) : undefined
      if (body.pending && !pending) return expired(reply)
      const email = pending?.email ?? body.email ?? ''
      const password = pending?.password ?? body.password ?? ''
      const scope = scopeOf(client, authorization)
      const view = { clientName: client.name, session: body.session, csrf }
      try {
        const checked = await checkCredentials(
          deps.auth,
          scope,
          { email, password, otpCode: pending ? (body.otpCode ?? '') : undefined },
          request.ip,
        )
        if (checked.outcome === 'signedIn')
          return showConsent(reply, { ...context, session: body.session, csrf }, checked.user)
        if (checked.result.phase !== null)
          return sendPage(reply, 200, {
            title: 'Finish signing up first',
            body: onboardingIncompletePage(client.name),
          })
        await sendLoginOtp(deps.auth, scope, checked.user.id)
        return sendPage(reply, 200, {
          title: 'Enter the code',
          body: otpPage({ ...view, pending: sealPending(key, deps.clock, csrf, email, password) }),
        })
      } catch (error) {
        if (!isAppError(error) || error.status >= 500) throw error
        if (error.headers) reply.headers(error.headers)
        if (pending)
          return sendPage(reply, error.status, {
            title: 'Enter the code',
            body: otpPage({ ...view, pending: body.pending as string, error: error.publicMessage }),
          })
        return sendPage(reply, error.status, {
          title: `Sign in to ${client.name}`,
          body: signInPage({ ...view, email, error: error.publicMessage }),
        })
      }
    },
  )

  app.post(
    '/v1/auth/oauth2/authorize/consent',
    {
      config: { clientAuth: 'oauth' },
      schema: {
        operationId: 'oauth2Consent',
        tags: ['oauth'],
        summary: 'The consent form: allow (a code) or deny (access_denied), back to the redirect URI',
        body: Type.Object({
          ticket: Type.String({ maxLength: 6000 }),
          csrf: Type.String({ maxLength: 100 }),
          decision: Type.String({ maxLength: 10, description: 'allow or deny' }),
        }),
        response: {
          303: htmlResponse('To the redirect URI with code, state and app_id (or error=access_denied)'),
          400: htmlResponse('The sign-in expired'),
          403: htmlResponse('A form of another browser, or the account was disabled meanwhile'),
        },
      },
    },
    async (request, reply) => {
      const body = request.body
      const csrf = submittedCsrf(request.cookies[CSRF_COOKIE], body.csrf)
      if (csrf === undefined) return forged(reply)
      const ticket = readConsentTicket(key, deps.clock, csrf, body.ticket)
      const context = ticket && (await sessionOf(ticket.session))
      if (!ticket || !context) return expired(reply)
      const { authorization } = context
      const user = await findUserById(deps.databases.byRegion[authorization.region].db, ticket.userId)
      if (user?.status !== 'active')
        return errorPage(reply, 403, 'Not available', new AppError('ACCOUNT_DISABLED').publicMessage)
      const location =
        body.decision === 'allow'
          ? redirectWith(authorization.redirectUri, {
              code: await issueCode(deps, authorization, user.id),
              state: authorization.state,
              app_id: APP_ID[authorization.region],
            })
          : redirectWith(authorization.redirectUri, {
              error: 'access_denied',
              error_description: 'The user did not allow access',
              state: authorization.state,
            })
      return reply.code(303).header('cache-control', 'no-store').redirect(location, 303)
    },
  )
}
