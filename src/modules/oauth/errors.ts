import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { toAppError } from '../../http/error-handler.ts'
import { ref } from '../../http/schemas.ts'
import { AppError, type ErrorCode, type FieldProblem } from '../../lib/errors.ts'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A token or revoke endpoint, where RFC 6749 §5.2 has no access_denied. */
    oauthTokenEndpoint?: boolean
  }
}

/** The code or refresh token does not give tokens; why goes to the log only. */
export const invalidGrant = (internal: string) => new AppError('OAUTH_INVALID_GRANT', { internal })

/** RFC 6749 §5.2 error codes (and RFC 6750's invalid_token for a bad Bearer token). */
export type OAuthErrorName =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'invalid_token'
  | 'server_error'
  | 'temporarily_unavailable'

const NAMES: Partial<Record<ErrorCode, OAuthErrorName>> = {
  OAUTH_INVALID_REQUEST: 'invalid_request',
  OAUTH_INVALID_GRANT: 'invalid_grant',
  OAUTH_UNSUPPORTED_GRANT_TYPE: 'unsupported_grant_type',
  OAUTH_INVALID_SCOPE: 'invalid_scope',
  OAUTH_UNSUPPORTED_RESPONSE_TYPE: 'unsupported_response_type',
  OAUTH_INVALID_CLIENT: 'invalid_client',
  MISSING_CLIENT_KEY: 'invalid_client',
  INVALID_CLIENT_KEY: 'invalid_client',
  INVALID_SECRET_KEY: 'invalid_client',
  NOT_AUTHENTICATED: 'invalid_token',
  NOT_AUTHORIZED: 'access_denied',
  REGION_NOT_ENABLED: 'access_denied',
  ACCOUNT_DISABLED: 'access_denied',
  RATE_LIMITED: 'temporarily_unavailable',
  SERVICE_UNAVAILABLE: 'temporarily_unavailable',
}

/** "Missing required parameter: code_challenge", as the Baanx docs word it; else the first problem. */
export const describeOAuthError = (error: AppError): string => {
  if (error.code !== 'VALIDATION_ERROR') return error.publicMessage
  const problems = (error.body?.errors ?? []) as FieldProblem[]
  const missing = problems.find((problem) => problem.message === 'is required')
  if (missing) return `Missing required parameter: ${missing.field}`
  const first = problems[0]
  return first ? `Invalid parameter: ${first.field} ${first.message}` : error.publicMessage
}

export const OAuthErrorBody = Type.Object(
  {
    error: Type.String({ description: 'RFC 6749 §5.2 error code, e.g. invalid_request, invalid_grant' }),
    error_description: Type.String(),
  },
  { $id: 'OAuthError', description: 'OAuth 2.0 error (RFC 6749 §5.2)' },
)

export const oauthError = (description: string) => Type.Unsafe<unknown>(ref(OAuthErrorBody, { description }))

/**
 * The one place an OAuth endpoint's failure becomes a response: `{error, error_description}` at the
 * catalogue's status (a server error as server_error with no detail; the detail goes to the log).
 */
export const oauthErrorName = (error: AppError, atTokenEndpoint: boolean): OAuthErrorName => {
  // A client refused a region may not use the grant there (unauthorized_client, §5.2).
  if (atTokenEndpoint && error.code === 'REGION_NOT_ENABLED') return 'unauthorized_client'
  return NAMES[error.code] ?? (error.status >= 500 ? 'server_error' : 'invalid_request')
}

const STATUS_400: ReadonlySet<OAuthErrorName> = new Set(['invalid_request', 'unauthorized_client'])

const sentBasicAuthentication = (request: FastifyRequest): boolean =>
  /^Basic\s/i.test(String(request.headers.authorization ?? ''))

const sendOAuthError = (request: FastifyRequest, reply: FastifyReply, error: AppError): FastifyReply => {
  if (error.headers) reply.headers(error.headers)
  const name = oauthErrorName(error, request.routeOptions.config.oauthTokenEndpoint === true)
  // RFC 6749 answers these with 400: a 422 or 415 of the v1 API is one here, and so is a 403 region.
  const status = STATUS_400.has(name) ? 400 : error.status
  // RFC 6749 §5.2: a 401 to a client that tried HTTP Basic names the scheme.
  if (name === 'invalid_client' && status === 401 && sentBasicAuthentication(request))
    reply.header('www-authenticate', 'Basic realm="verity"')
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .type('application/json; charset=utf-8')
    .send({ error: name, error_description: describeOAuthError(error) })
}

export const registerOAuthErrors = (app: FastifyInstance): void => {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const appError = toAppError(error, request)
    if (appError.status >= 500) request.log.error({ err: error, errorCode: appError.code }, 'request failed')
    else request.log.info({ errorCode: appError.code, detail: appError.message }, 'oauth request rejected')
    return sendOAuthError(request, reply, appError)
  })
}
