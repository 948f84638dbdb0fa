import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AppError, type ErrorCode, type FieldProblem } from '../lib/errors.ts'
import { toAppError } from './error-handler.ts'

/** The contract's own details where it shows them (498, 499); a plain sentence elsewhere. */
const DEFAULT_DETAILS: Partial<Record<ErrorCode, string>> = {
  MISSING_CLIENT_KEY: 'x-client-key header is required for all requests',
  INVALID_CLIENT_KEY: 'The provided x-client-key is invalid or expired',
  INVALID_SECRET_KEY: 'A valid x-secret-key (or the user’s bearer token where accepted) is required',
  NOT_AUTHENTICATED: 'The bearer token is missing, invalid, expired or revoked',
  NOT_AUTHORIZED: 'This client may not make this request',
  REGION_NOT_ENABLED: 'This client is not enabled for the requested region',
  MALFORMED_JSON: 'The request body is not valid JSON',
}

/**
 * Schema failures are the contract's 400 "Validation error" here (the v1 routes answer 422), each
 * failing field as one detail.
 */
const asConsentError = (error: AppError): AppError => {
  if (error.code !== 'VALIDATION_ERROR') return error
  const problems = (error.body?.errors as FieldProblem[] | undefined) ?? []
  return new AppError('CONSENT_VALIDATION', {
    body: { details: problems.map((problem) => `${problem.field} ${problem.message}`) },
    internal: error.message,
  })
}

const detailsOf = (error: AppError): string[] => {
  const given = error.body?.details
  if (Array.isArray(given)) return given as string[]
  return [DEFAULT_DETAILS[error.code] ?? error.publicMessage]
}

/**
 * The v2 (Consent Management) error shape for every route of the scope it is registered in:
 * `{"error", "details": [...], "errorCode"}`, from the same AppError catalogue as v1.
 */
export const registerV2ErrorHandling = (app: FastifyInstance): void => {
  app.setErrorHandler((raw: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const error = asConsentError(toAppError(raw, request))
    if (error.status >= 500) request.log.error({ err: raw, errorCode: error.code }, 'request failed')
    else request.log.info({ errorCode: error.code, detail: error.message }, 'request rejected')
    if (error.headers) reply.headers(error.headers)
    return reply
      .code(error.status)
      .type('application/json; charset=utf-8')
      .send({ error: error.publicMessage, details: detailsOf(error), errorCode: error.code })
  })
}
