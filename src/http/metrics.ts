import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Counter, collectDefaultMetrics, Histogram, type Registry } from 'prom-client'
import { AppError } from '../lib/errors.ts'

const digest = (value: string) => createHash('sha256').update(value).digest()

/** Compares digests in constant time, so the answer time says nothing about how much of a guess was right. */
const bearerMatches = (request: FastifyRequest, expected: Buffer): boolean => {
  const match = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')
  return match !== null && timingSafeEqual(digest(match[1] as string), expected)
}

/** Request counts and latency by route template (never the raw URL, which may hold ids) and status. */
export const registerHttpMetrics = (
  app: FastifyInstance,
  registry: Registry,
  options: { token?: string | undefined } = {},
): void => {
  const expected = options.token === undefined ? undefined : digest(options.token)
  collectDefaultMetrics({ register: registry, prefix: 'verity_' })
  const duration = new Histogram({
    name: 'verity_http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status (the _count series counts requests).',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  })
  messageBudgetRefusals(registry)
  app.addHook('onResponse', (request, reply, done) => {
    duration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    )
    done()
  })
  app.get('/metrics', { schema: { hide: true }, logLevel: 'warn' }, async (request, reply) => {
    if (expected && !bearerMatches(request, expected)) {
      throw new AppError('NOT_AUTHENTICATED', {
        headers: { 'www-authenticate': 'Bearer realm="metrics"' },
        internal: 'metrics token missing or wrong',
      })
    }
    reply.type(registry.contentType)
    return registry.metrics()
  })
}

const MESSAGE_BUDGET_REFUSED = 'verity_message_budget_refused_total'

/** Code requests refused because the client's hourly budget for the channel was spent (one per registry). */
export const messageBudgetRefusals = (registry: Registry): Counter<'channel'> => {
  const existing = registry.getSingleMetric(MESSAGE_BUDGET_REFUSED)
  if (existing) return existing as Counter<'channel'>
  const counter = new Counter({
    name: MESSAGE_BUDGET_REFUSED,
    help: 'Messages refused because the client had spent its hourly budget for the channel.',
    labelNames: ['channel'],
    registers: [registry],
  })
  // Both series exist from the start, so an alert can watch their rate before the first refusal.
  for (const channel of ['email', 'sms']) counter.inc({ channel }, 0)
  return counter
}
