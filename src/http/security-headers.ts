import helmet from '@fastify/helmet'
import type { FastifyInstance } from 'fastify'

// JSON APIs load nothing and are never framed.
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
// The API reference page (Scalar) runs its own bundle, served by us, with inline bootstrapping.
const DOCS_CSP =
  "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"

/**
 * Security headers on every response: helmet's defaults (HSTS, nosniff, frame and referrer policies,
 * cross-origin isolation) and a content security policy chosen per area. The hosted verification
 * pages will set their own nonce-based policy.
 */
export const registerSecurityHeaders = async (
  app: FastifyInstance,
  options: { https: boolean },
): Promise<void> => {
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: false,
    hsts: options.https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginResourcePolicy: { policy: 'same-site' },
  })
  app.addHook('onSend', async (request, reply) => {
    if (!reply.hasHeader('content-security-policy')) {
      reply.header('content-security-policy', request.url.startsWith('/docs') ? DOCS_CSP : API_CSP)
    }
  })
}
