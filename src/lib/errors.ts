/**
 * One error type for the whole server. Every failure a client can see has a stable `code` from this
 * catalogue; the HTTP layer (src/http/error-handler.ts) is the only place that turns it into a response.
 * `message` in the catalogue is the public text; anything passed as `internal` or `cause` goes to the
 * logs only.
 */
export const ERROR_CATALOGUE = {
  BAD_REQUEST: { status: 400, message: 'Bad request' },
  MALFORMED_JSON: { status: 400, message: 'Malformed JSON body' },
  NOT_AUTHENTICATED: { status: 401, message: 'Not authenticated' },
  INVALID_SECRET_KEY: { status: 401, message: 'Not authenticated' },
  NOT_AUTHORIZED: { status: 403, message: 'Not authorized' },
  REGION_NOT_ENABLED: { status: 403, message: 'Not authorized' },
  NOT_FOUND: { status: 404, message: 'Not found' },
  ROUTE_NOT_FOUND: { status: 404, message: 'Route not found' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'Method not allowed' },
  CONFLICT: { status: 409, message: 'Conflict' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'Request body too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Unsupported media type' },
  VALIDATION_ERROR: { status: 422, message: 'Validation error' },
  RATE_LIMITED: { status: 429, message: 'Rate limit exceeded' },
  INVALID_CLIENT_KEY: { status: 498, message: 'Invalid client key' },
  MISSING_CLIENT_KEY: { status: 499, message: 'Missing client key' },
  INTERNAL_ERROR: { status: 500, message: 'Internal server error' },
  SERVICE_UNAVAILABLE: { status: 503, message: 'Service unavailable' },
} as const satisfies Record<string, { status: number; message: string }>

export type ErrorCode = keyof typeof ERROR_CATALOGUE

export type AppErrorOptions = {
  /** Replaces the catalogue's public message (must be safe to show to a client developer). */
  message?: string
  /** Extra fields merged into the response body, e.g. `retryAfter` or the failing `fields`. */
  body?: Record<string, unknown>
  /** Extra response headers, e.g. `Retry-After`. */
  headers?: Record<string, string>
  /** Detail for the logs only. */
  internal?: string
  cause?: unknown
}

export class AppError extends Error {
  readonly code: ErrorCode
  readonly status: number
  readonly publicMessage: string
  readonly body: Record<string, unknown> | undefined
  readonly headers: Record<string, string> | undefined

  constructor(code: ErrorCode, options: AppErrorOptions = {}) {
    const entry = ERROR_CATALOGUE[code]
    super(options.internal ?? options.message ?? entry.message, { cause: options.cause })
    this.name = 'AppError'
    this.code = code
    this.status = entry.status
    this.publicMessage = options.message ?? entry.message
    this.body = options.body
    this.headers = options.headers
  }
}

export const isAppError = (error: unknown): error is AppError => error instanceof AppError
