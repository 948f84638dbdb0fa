import cors, { type FastifyCorsOptions } from '@fastify/cors'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import {
  type ClientDeps,
  findActiveClientByKey,
  isOriginAllowedForAnyClient,
} from '../modules/clients/index.ts'

// x-secret-key is deliberately absent: a secret key must never be usable from a browser.
const ALLOWED_HEADERS = ['authorization', 'content-type', 'x-client-key', 'x-us-env', 'x-request-id']
const EXPOSED_HEADERS = [
  'x-request-id',
  'retry-after',
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
]

const DENY: FastifyCorsOptions = { origin: false }
const ALLOW: Omit<FastifyCorsOptions, 'origin'> = {
  methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
  allowedHeaders: ALLOWED_HEADERS,
  exposedHeaders: EXPOSED_HEADERS,
  credentials: false,
  maxAge: 600,
}

/**
 * Per-client CORS for /v1. A preflight carries no x-client-key, so it succeeds for an origin that some
 * active client allows; the actual request then gets Access-Control-Allow-Origin only when the origin
 * is allowed for the client whose key it carries. A page on another client's origin therefore cannot
 * read responses made with this client's key.
 */
export const registerCors = async (app: FastifyInstance, deps: ClientDeps): Promise<void> => {
  const optionsFor = async (request: FastifyRequest, origin: string): Promise<FastifyCorsOptions> => {
    const isPreflight =
      request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined
    let allowed = false
    if (isPreflight) {
      allowed = await isOriginAllowedForAnyClient(deps, origin)
    } else {
      const key = request.headers['x-client-key']
      const client = typeof key === 'string' ? await findActiveClientByKey(deps, key.trim()) : undefined
      allowed = client?.allowedOrigins.includes(origin) ?? false
    }
    return allowed ? { ...ALLOW, origin } : DENY
  }
  await app.register(cors, {
    hideOptionsRoute: true,
    delegator: (request, callback) => {
      // Server-to-server calls carry no Origin: answered at once, without a lookup or a promise.
      const origin = request.headers.origin
      if (!origin) return callback(null, DENY)
      optionsFor(request, origin).then(
        (options) => callback(null, options),
        (error: Error) => callback(error, DENY),
      )
    },
  })
}
