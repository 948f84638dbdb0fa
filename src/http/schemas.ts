import { type Static, type TSchema, Type } from 'typebox'
import { ERROR_CATALOGUE, type ErrorCode } from '../lib/errors.ts'

/** A closed set of strings as `enum` (cheaper to serialize than a union of literals). */
export const StringEnum = <const T extends readonly string[]>(
  values: T,
  options: { description?: string } = {},
) => Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options })

export const NullableStringEnum = <const T extends readonly string[]>(
  values: T,
  options: { description?: string } = {},
) => Type.Unsafe<T[number] | null>({ type: ['string', 'null'], enum: [...values, null], ...options })

/**
 * A reference to a named component schema, typed as the schema it names. Named schemas (`$id`) are
 * registered once by registerOpenApi and appear in the OpenAPI document under components.schemas, so a
 * generated SDK gets one type per shape instead of one per route. Embedding a named schema directly
 * would declare its `$id` twice; routes always go through this.
 */
export const ref = <T extends TSchema>(schema: T, options: { description?: string } = {}) => {
  const id = (schema as { $id?: unknown }).$id
  if (typeof id !== 'string') throw new Error('ref() names a schema by its $id, and this one has none')
  return Type.Unsafe<Static<T>>({ ...Type.Ref(id), ...options })
}

/** Response schemas shared by every route: the v1 error shape and the validation error. */
export const ErrorBody = Type.Object(
  {
    message: Type.String(),
    errorCode: StringEnum(Object.keys(ERROR_CATALOGUE) as ErrorCode[], {
      description: 'Stable code from the error catalogue (docs/api.md lists when each is given).',
    }),
  },
  { additionalProperties: true, $id: 'ErrorBody', description: 'v1 error: message plus a stable errorCode.' },
)

export const ValidationErrorBody = Type.Object(
  {
    message: Type.Literal('Validation error'),
    errorCode: Type.Literal('VALIDATION_ERROR'),
    errors: Type.Array(Type.Object({ field: Type.String(), message: Type.String() })),
  },
  { $id: 'ValidationErrorBody' },
)

/** The v2 (Consent Management) error shape: the contract's `{error, details}` plus the stable errorCode. */
export const ConsentErrorBody = Type.Object(
  {
    error: Type.String(),
    details: Type.Array(Type.String()),
    errorCode: StringEnum(Object.keys(ERROR_CATALOGUE) as ErrorCode[]),
  },
  { $id: 'ConsentErrorBody', description: 'v2 error: error, details and a stable errorCode.' },
)

/** A v2 error response, for the OpenAPI document. */
export const consentErrorResponse = (description: string) =>
  Type.Unsafe<unknown>(ref(ConsentErrorBody, { description }))

/** A page of the hosted flow, for browsers: the body is HTML whatever the status (web/page.ts). */
export const HtmlPage = Type.String({ $id: 'HtmlPage', description: 'An HTML page.' })

/**
 * An error response for the document. Typed `unknown` like any error a handler throws rather than
 * returns: errors leave through AppError and the error handler, never as a handler's return value.
 */
export const errorResponse = (description: string) => Type.Unsafe<unknown>(ref(ErrorBody, { description }))

/** The error responses every /v1 route can give, for the OpenAPI document. */
export const clientErrorResponses = {
  403: errorResponse('Not authorized: the client is not enabled for the requested region.'),
  422: Type.Unsafe<unknown>(
    ref(ValidationErrorBody, { description: 'Validation error: the failing fields are listed.' }),
  ),
  498: errorResponse('Invalid client key.'),
  499: errorResponse('Missing client key.'),
  500: errorResponse('Internal server error (details only in the logs, under the x-request-id).'),
}

export const RegionHeaders = Type.Object({
  'x-client-key': Type.Optional(Type.String({ description: 'Public client key (required).' })),
  'x-us-env': Type.Optional(Type.String({ description: '"true" routes to the us region; default intl.' })),
})

export const RegionQuery = Type.Object({
  region: Type.Optional(Type.String({ description: '"us" is an alternative to x-us-env: true.' })),
})

/** Error responses of routes that need a user's bearer token. */
export const userErrorResponses = {
  ...clientErrorResponses,
  401: errorResponse(
    'Not authenticated: missing, invalid, expired or revoked access token (or one from the other region).',
  ),
  403: errorResponse(
    'Not authorized: the token belongs to another client, the user is suspended, or the region is not enabled.',
  ),
}

export const SuccessBody = Type.Object({ success: Type.Literal(true) }, { $id: 'Success' })

/**
 * A string or null, as `type: ["string", "null"]`: the response serializer writes it directly, while an
 * anyOf union makes it validate each value to choose a branch.
 */
export const NullableString = (
  options: { description?: string; format?: string; minLength?: number; maxLength?: number } = {},
) => Type.Unsafe<string | null>({ type: ['string', 'null'], ...options })
