import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { Registry } from 'prom-client'
import type { Config, TrustProxy } from '../config/config.ts'
import type { Databases } from '../db/database.ts'
import type { Clock } from '../lib/clock.ts'
import { AppError } from '../lib/errors.ts'
import type { Keys } from '../lib/keys.ts'
import type { Logger } from '../lib/logger.ts'
import { authRoutes, createLoginMetrics, LoginThrottle } from '../modules/auth/index.ts'
import type { RandomBelow } from '../modules/capture/index.ts'
import { type CardProcessor, cardRoutes } from '../modules/cards/index.ts'
import type { ClientCache } from '../modules/clients/index.ts'
import { clientRoutes } from '../modules/clients/index.ts'
import { consentRoutes } from '../modules/consent/index.ts'
import { consoleRoutes } from '../modules/console/index.ts'
import type { DecodeLimiter, DocumentVault } from '../modules/documents/index.ts'
import { healthRoutes } from '../modules/health/index.ts'
import { hostedRoutes } from '../modules/hosted/index.ts'
import { grantedToClient, oauthRoutes } from '../modules/oauth/index.ts'
import { onboardingRoutes } from '../modules/onboarding/index.ts'
import { sandboxRoutes } from '../modules/sandbox/index.ts'
import { settingsRoutes } from '../modules/settings/index.ts'
import { userRoutes } from '../modules/users/index.ts'
import { type VerificationChanges, verificationRoutes } from '../modules/verification/index.ts'
import { webhookRoutes } from '../modules/webhooks/index.ts'
import { registerBodyDrain } from './body-drain.ts'
import { registerClientAuth } from './client-auth.ts'
import { registerCors } from './cors.ts'
import { registerErrorHandling } from './error-handler.ts'
import { registerJsonBodyParser } from './json-body.ts'
import { registerHttpMetrics } from './metrics.ts'
import { registerOpenApi } from './openapi.ts'
import { requestIdFor } from './request-id.ts'
import { RequestLog } from './request-log.ts'
import { RequestLogger } from './request-logger.ts'
import { registerSecurityHeaders } from './security-headers.ts'
import { registerV2ErrorHandling } from './v2-errors.ts'
import { registerValidation } from './validation.ts'
import './types.ts'

export type AppDeps = {
  config: Config
  databases: Databases
  clock: Clock
  log: Logger
  metrics: Registry
  keys: Keys
  clientCache: ClientCache
  vault: DocumentVault
  decodes: DecodeLimiter
  /** verificationState changes and submissions, published to the subscribers of src/runtime.ts. */
  verificationChanges: VerificationChanges
  /** Issues cards and holds their status (the built-in simulator unless a test passes another). */
  cardProcessor: CardProcessor
  /** Draws the selfie challenge's poses; crypto random unless a test fixes them. */
  randomBelow?: RandomBelow
}

/**
 * Fastify refuses a bare hop count (it cannot tell a proxy from a client that reached the server
 * directly); a count here is the operator saying the server is reachable only through that many
 * proxies, so the nearest `count` hops are believed and the next address is the client's.
 */
const trustProxyOption = (trust: TrustProxy) =>
  typeof trust === 'number' ? (_address: string, hop: number) => hop < trust : trust

/**
 * Builds the HTTP application from explicit dependencies (the composition root in src/runtime.ts
 * passes the real ones; tests pass temporary databases and a manual clock). Nothing here listens.
 */
export const buildApp = async (deps: AppDeps): Promise<FastifyInstance> => {
  const { config } = deps
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    logController: new RequestLog(),
    childLoggerFactory: (logger, bindings, options) =>
      RequestLogger.forRequest(logger as Logger, bindings, options),
    genReqId: requestIdFor,
    trustProxy: trustProxyOption(config.TRUST_PROXY),
    bodyLimit: config.BODY_LIMIT_BYTES,
    // Slow or stalled clients must not hold connections open indefinitely (slowloris).
    requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
    keepAliveTimeout: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    connectionTimeout: config.HTTP_CONNECTION_TIMEOUT_MS,
    http: {
      headersTimeout: config.HTTP_HEADERS_TIMEOUT_MS,
      // Node enforces the headers and request timeouts only when it sweeps its connections (every
      // 30 s by default); sweep often enough that a timeout means what it says.
      connectionsCheckingInterval: Math.min(1000, Math.ceil(config.HTTP_HEADERS_TIMEOUT_MS / 4)),
    },
    // Requests that arrive while closing get our own 503 body (see below), not Fastify's.
    return503OnClosing: false,
    routerOptions: { ignoreTrailingSlash: true },
  })

  const https = config.PUBLIC_URL.startsWith('https://')
  // First, so that every answer (errors and shutdown refusals included) carries them.
  registerSecurityHeaders(app, { https })

  let closing = false
  app.addHook('preClose', async () => {
    closing = true
  })
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id)
    if (closing) {
      reply.header('connection', 'close')
      throw new AppError('SERVICE_UNAVAILABLE', { message: 'Server is shutting down; retry shortly' })
    }
  })

  registerBodyDrain(app)
  registerJsonBodyParser(app)
  registerValidation(app)
  registerErrorHandling(app)
  await registerOpenApi(app, config.PUBLIC_URL)
  registerHttpMetrics(app, deps.metrics, { token: config.METRICS_TOKEN })
  await app.register(healthRoutes(deps.databases))

  const accounts = {
    ...deps,
    loginThrottle: new LoginThrottle(deps.clock),
    loginMetrics: createLoginMetrics(deps.metrics),
    grantedToClient,
  }
  // Everything under /v1 is a client's API: CORS per client, then client (and user) authentication.
  await app.register(async (v1) => {
    await registerCors(v1, deps)
    registerClientAuth(v1, deps)
    await v1.register(clientRoutes(deps))
    await v1.register(settingsRoutes(config))
    await v1.register(onboardingRoutes(accounts))
    await v1.register(authRoutes(accounts))
    await v1.register(oauthRoutes({ ...deps, auth: accounts, secureCookies: https }))
    await v1.register(userRoutes())
    await v1.register(verificationRoutes(deps))
    await v1.register(sandboxRoutes(deps))
    await v1.register(webhookRoutes(deps))
    await v1.register(cardRoutes(deps))
  })

  // The Consent Management API (v2): the same client authentication, the contract's {error, details}
  // errors, and no CORS (its writes are server to server, its reads for the client's backend or app).
  await app.register(async (v2) => {
    registerV2ErrorHandling(v2)
    registerClientAuth(v2, deps)
    await v2.register(consentRoutes(deps))
  })

  // The hosted pages behind session links: no client key (the link is the credential).
  await app.register(hostedRoutes({ ...deps, secureCookies: https }))

  // The compliance console: staff sessions of its own, never a client key or a user token.
  await app.register(
    consoleRoutes({ ...deps, secureCookies: https, staffThrottle: new LoginThrottle(deps.clock) }),
  )

  return app
}
