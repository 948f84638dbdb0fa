import type { FastifyInstance } from 'fastify'

/**
 * Real Baanx clients send `Content-Type: application/json` on POSTs with no body at all (logout,
 * card freeze). Fastify's default parser rejects that; we read it as `{}` and parse everything else
 * with Fastify's own hardened parser (prototype-poisoning protection included).
 */
export const registerJsonBodyParser = (app: FastifyInstance): void => {
  const defaultParser = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body.toString()
    if (text.trim().length === 0) {
      done(null, {})
      return
    }
    defaultParser(request, text, done)
  })
}
