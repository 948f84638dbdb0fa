import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AppError, type ErrorCode, isAppError } from '../lib/errors.ts'

type FieldProblem = { field: string; message: string }

type AjvIssue = {
  instancePath?: string
  message?: string
  params?: Record<string, unknown>
  keyword?: string
}

/** Turns schema-validation issues into `{field, message}` pairs a client developer can act on. */
export const describeValidation = (
  issues: readonly AjvIssue[],
  context: string | undefined,
): FieldProblem[] =>
  issues.map((issue) => {
    const path = (issue.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.')
    const missing = issue.params?.missingProperty as string | undefined
    const field = [path, missing].filter(Boolean).join('.') || (context ?? 'body')
    const allowed = issue.params?.allowedValues as unknown[] | undefined
    const message =
      missing !== undefined
        ? 'is required'
        : allowed
          ? `must be one of ${allowed.map((value) => JSON.stringify(value)).join(', ')}`
          : (issue.message ?? 'is invalid')
    return { field, message }
  })

// Fastify's own errors that are the client's fault, mapped onto our catalogue.
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_BAD_URL: 'BAD_REQUEST',
  FST_ERR_ASYNC_CONSTRAINT: 'BAD_REQUEST',
}

/**
 * The multipart parser (busboy, under @fastify/multipart) reports a malformed body with plain Errors
 * that carry no code; these are its messages for a missing boundary and a body that ends early.
 */
const MALFORMED_MULTIPART =
  /^(Multipart: Boundary not found|Unexpected end of multipart data|(Part|Field|File) terminated early due to unexpected end of multipart data)$/

/** The client went away before its request was read in full: nothing to answer, nothing broken. */
const isClientAbort = (error: FastifyError, request: FastifyRequest): boolean =>
  error.code === 'FST_MP_PREMATURE_CLOSE' ||
  (error.code === 'ECONNRESET' && error.message === 'aborted') ||
  (request.raw.destroyed && !request.raw.complete)

/** Any error a handler or Fastify raised, as one of the catalogue's (each surface renders it its own way). */
export const toAppError = (error: FastifyError, request: FastifyRequest): AppError => {
  if (isAppError(error)) return error
  if (isClientAbort(error, request))
    return new AppError('BAD_REQUEST', {
      message: 'Request aborted',
      internal: 'the client aborted the request',
    })
  if (MALFORMED_MULTIPART.test(error.message))
    return new AppError('BAD_REQUEST', { message: 'Malformed multipart body', internal: error.message })
  if (error.validation) {
    return new AppError('VALIDATION_ERROR', {
      body: { errors: describeValidation(error.validation as AjvIssue[], error.validationContext) },
      internal: error.message,
    })
  }
  const mapped = error.code ? FASTIFY_CODES[error.code] : undefined
  if (mapped) return new AppError(mapped, { internal: error.message })
  // Any other 4xx a plugin raised: keep its status class but not its wording.
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return new AppError(error.statusCode === 404 ? 'NOT_FOUND' : 'BAD_REQUEST', { internal: error.message })
  }
  return new AppError('INTERNAL_ERROR', { cause: error, internal: error.message })
}

export const sendError = (reply: FastifyReply, error: AppError): FastifyReply => {
  if (error.headers) reply.headers(error.headers)
  return reply
    .code(error.status)
    .type('application/json; charset=utf-8')
    .send({ message: error.publicMessage, errorCode: error.code, ...error.body })
}

/**
 * The one place errors become responses: `{"message", "errorCode", ...}` (the Baanx v1 shape plus a
 * stable code). 5xx details go to the log with the request id, never to the client.
 */
export const registerErrorHandling = (app: FastifyInstance): void => {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const appError = toAppError(error, request)
    if (appError.status >= 500) {
      request.log.error({ err: error, errorCode: appError.code }, 'request failed')
    } else {
      request.log.info({ errorCode: appError.code, detail: appError.message }, 'request rejected')
    }
    return sendError(reply, appError)
  })
  app.setNotFoundHandler((_request, reply) => sendError(reply, new AppError('ROUTE_NOT_FOUND')))
}
