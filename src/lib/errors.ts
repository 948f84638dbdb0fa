/**
 * One error type for the whole server. Every failure a client can see has a stable `code` from this
 * catalogue; the HTTP layer (src/http/error-handler.ts) is the only place that turns it into a response.
 * `message` in the catalogue is the public text; anything passed as `internal` or `cause` goes to the
 * logs only.
 */
export const ERROR_CATALOGUE = {
  BAD_REQUEST: { status: 400, message: 'Bad request' },
  MALFORMED_JSON: { status: 400, message: 'Malformed JSON body' },
  INVALID_CODE: { status: 400, message: 'Invalid verification code' },
  CODE_EXPIRED: { status: 400, message: 'Verification code expired; request a new one' },
  CODE_ATTEMPTS_EXCEEDED: { status: 400, message: 'Too many wrong codes; request a new one' },
  INVALID_CONTACT_VERIFICATION: {
    status: 400,
    message: 'Invalid or expired contactVerificationId; start again with email/send',
  },
  CHALLENGE_UNKNOWN: {
    status: 400,
    message: 'This live check does not belong to this verification. Take the selfie again.',
  },
  CHALLENGE_FRAMES: {
    status: 400,
    message: 'The live check needs one photo for each head movement it asked for.',
  },
  WEBHOOK_LIMIT_REACHED: { status: 400, message: 'Maximum webhook limit (5) reached for this tenant' },
  CONSENT_VALIDATION: { status: 400, message: 'Validation error' },
  CARD_USER_NOT_VERIFIED: {
    status: 400,
    message: 'User is not verified: a card can be ordered once verificationState is VERIFIED',
  },
  CARD_CONSENT_REQUIRED: {
    status: 400,
    message: "User's consent is incomplete: a card needs a linked consent set that completes its policy",
  },
  CARD_ALREADY_ISSUED: { status: 400, message: 'User already has a card' },
  CARD_NOT_FREEZABLE: {
    status: 400,
    message: 'This card cannot be frozen or unfrozen by its holder now (see its status)',
  },
  // OAuth 2.0 (RFC 6749 §5.2): the oauth module answers these as {error, error_description}.
  OAUTH_INVALID_REQUEST: { status: 400, message: 'The request is missing a parameter or has a wrong one' },
  OAUTH_INVALID_GRANT: {
    status: 400,
    message: 'The authorization code or refresh token is invalid, expired, revoked or not yours',
  },
  OAUTH_UNSUPPORTED_GRANT_TYPE: {
    status: 400,
    message: 'grant_type must be authorization_code or refresh_token',
  },
  OAUTH_INVALID_SCOPE: { status: 400, message: 'Unknown scope' },
  OAUTH_UNSUPPORTED_RESPONSE_TYPE: { status: 400, message: 'response_type must be code' },
  OAUTH_INVALID_CLIENT: { status: 401, message: 'Client authentication failed' },
  NOT_AUTHENTICATED: { status: 401, message: 'Not authenticated' },
  INVALID_SECRET_KEY: { status: 401, message: 'Not authenticated' },
  INVALID_CREDENTIALS: { status: 401, message: 'Invalid email or password' },
  STAFF_CREDENTIALS_INVALID: { status: 401, message: 'Invalid email, password or code' },
  STAFF_SESSION_INVALID: { status: 401, message: 'Your console session has ended; sign in again' },
  ACCOUNT_LOCKED: {
    status: 401,
    message: 'Your account is temporarily locked after too many failed attempts; try again later',
  },
  NOT_AUTHORIZED: { status: 403, message: 'Not authorized' },
  CSRF_REJECTED: {
    status: 403,
    message: 'This page is out of date or was opened elsewhere. Reload the page and try again.',
  },
  FOUR_EYES_SAME_PERSON: {
    status: 403,
    message: 'You proposed this decision: another reviewer must confirm it.',
  },
  REGION_NOT_ENABLED: { status: 403, message: 'Not authorized' },
  CROSS_SITE_REQUEST: {
    status: 403,
    message: 'This verification link only works when it is opened directly, not from another site',
  },
  ACCOUNT_DISABLED: { status: 403, message: 'Your account has been disabled; contact support' },
  NOT_FOUND: { status: 404, message: 'Not found' },
  CONSENT_NOT_FOUND: { status: 404, message: 'Not found' },
  CARD_NOT_FOUND: { status: 404, message: 'User has no card' },
  ROUTE_NOT_FOUND: { status: 404, message: 'Route not found' },
  INVALID_ONBOARDING_ID: { status: 404, message: 'Invalid onboarding ID' },
  LINK_INVALID: { status: 404, message: 'This verification link is not valid' },
  NO_BROWSER_SESSION: {
    status: 404,
    message: 'No verification is in progress in this browser. Open the verification link from the app.',
  },
  METHOD_NOT_ALLOWED: { status: 405, message: 'Method not allowed' },
  CONFLICT: { status: 409, message: 'Conflict' },
  CHECKS_PENDING: {
    status: 409,
    message: 'The automated checks of this case have not finished; it can be approved once they have',
  },
  CASE_ASSIGNED: {
    status: 409,
    message: 'Another reviewer is working on this case; nothing was changed',
  },
  PROPOSAL_RESOLVED: {
    status: 409,
    message: 'This proposed decision was already confirmed, withdrawn or replaced; nothing was changed',
  },
  STAFF_EMAIL_TAKEN: { status: 409, message: 'A staff member with this email already exists' },
  ONBOARDING_STEP_MISSING: { status: 409, message: 'A previous onboarding step is not complete' },
  REGISTRATION_COMPLETE: { status: 409, message: 'Registration is already complete; log in instead' },
  VERIFICATION_IN_PROGRESS: { status: 409, message: 'Verification already in progress' },
  FLOW_STEP_MISSING: { status: 409, message: 'A previous step of the verification is not complete' },
  IDENTITY_FROZEN: {
    status: 409,
    message: 'Identity details cannot change once documents were submitted for verification',
  },
  ALREADY_SUBMITTED: { status: 409, message: 'Your documents were already submitted' },
  NOT_SUBMITTED: { status: 409, message: 'Your documents have not been submitted yet.' },
  UPLOAD_IN_PROGRESS: {
    status: 409,
    message: 'Another photo of this verification is still being processed. Wait for it, then try again.',
  },
  CHALLENGE_ANSWERED: { status: 409, message: 'This live check was already completed.' },
  CHALLENGE_REPLACED: {
    status: 409,
    message: 'A newer selfie replaced this live check. Follow the instructions shown for the new one.',
  },
  CHALLENGE_EXPIRED: {
    status: 409,
    message: 'The time for the live check ran out. Take the selfie again.',
  },
  SESSION_GONE: { status: 410, message: 'This verification session has expired or was already used' },
  SESSION_EXPIRED: {
    status: 410,
    message: 'This verification session has expired. Start verification again from the app.',
  },
  LINK_USED: { status: 410, message: 'This verification link was already used in another browser' },
  LINK_SUBMITTED: {
    status: 410,
    message: 'This verification link was used: the documents were already submitted',
  },
  STATE_CONFLICT: { status: 409, message: 'The verification state changed meanwhile; retry' },
  NOTHING_TO_RETRY: {
    status: 409,
    message: 'Nothing to retry: every delivery of this event is pending or its endpoint is not active',
  },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'Request body too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Unsupported media type' },
  VALIDATION_ERROR: { status: 422, message: 'Validation error' },
  UNSUPPORTED_UPLOAD: { status: 422, message: 'This file is not a photo or document we can use' },
  DOCUMENT_NOT_RENDERED: { status: 422, message: 'This document could not be drawn as pictures' },
  RATE_LIMITED: { status: 429, message: 'Rate limit exceeded' },
  STAFF_LOCKED: {
    status: 429,
    message: 'Signing in is locked after too many failed attempts; try again later',
  },
  MESSAGE_BUDGET_EXCEEDED: {
    status: 429,
    message: 'This app has sent its hourly quota of messages on this channel; try again later',
  },
  PHONE_NUMBER_LIMIT: {
    status: 429,
    message:
      'Codes were already sent to 3 phone numbers for this contactVerificationId; use one of those numbers',
  },
  UPLOAD_LIMIT: {
    status: 429,
    message: 'Too many uploads in this verification. Start a new verification from the app.',
  },
  INVALID_CLIENT_KEY: { status: 498, message: 'Invalid client key' },
  MISSING_CLIENT_KEY: { status: 499, message: 'Missing client key' },
  INTERNAL_ERROR: { status: 500, message: 'Internal server error' },
  SERVICE_UNAVAILABLE: { status: 503, message: 'Service unavailable' },
  UPLOADS_BUSY: {
    status: 503,
    message: 'We are processing many photos right now. Please try again in a few seconds.',
  },
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

/** One failing input field, as listed in a 422 body. */
export type FieldProblem = { field: string; message: string }

/** Throws the 422 listing every problem found, if there is any. */
export const throwIfProblems = (problems: readonly FieldProblem[]): void => {
  if (problems.length > 0) throw new AppError('VALIDATION_ERROR', { body: { errors: problems } })
}
