import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FastifyInstance } from 'fastify'
import helmet from 'helmet'

// JSON APIs load nothing and are never framed.
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
// The API reference page (Scalar) runs its own bundle, served by us, with inline bootstrapping.
const DOCS_CSP =
  "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"

/**
 * Helmet decides the headers (HSTS, nosniff, frame, referrer and cross-origin policies). Its policy does
 * not depend on the request, so it is run once at start against a recording response and the result is
 * set on every reply: running its middleware chain per request cost about a tenth of a simple request.
 */
const helmetHeaders = (https: boolean): Record<string, string> => {
  const headers: Record<string, string> = {}
  const recorder = {
    setHeader: (name: string, value: string | number) => {
      headers[name.toLowerCase()] = String(value)
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()]
    },
  }
  helmet({
    contentSecurityPolicy: false,
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginResourcePolicy: { policy: 'same-site' },
  })({} as IncomingMessage, recorder as unknown as ServerResponse, () => {})
  return headers
}

/** Security headers on every response, and a content security policy chosen per area. */
export const registerSecurityHeaders = (app: FastifyInstance, options: { https: boolean }): void => {
  const headers = helmetHeaders(options.https)
  // Callback hooks (here and in the other hooks every request runs): no promise per request.
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers)
    done()
  })
  app.addHook('onSend', (request, reply, _payload, done) => {
    // Hosted pages set their own nonce-based policy.
    if (!reply.hasHeader('content-security-policy')) {
      reply.header('content-security-policy', request.url.startsWith('/docs') ? DOCS_CSP : API_CSP)
    }
    done()
  })
}
