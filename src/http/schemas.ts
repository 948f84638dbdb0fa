import { Type } from 'typebox'

/** Response schemas shared by every route: the v1 error shape and the validation error. */
export const ErrorBody = Type.Object(
  {
    message: Type.String(),
    errorCode: Type.String({ pattern: '^[A-Z0-9_]{1,64}$' }),
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

export const errorResponse = (description: string) => ({ ...Type.Ref('ErrorBody'), description })

/** The error responses every /v1 route can give, for the OpenAPI document. */
export const clientErrorResponses = {
  403: errorResponse('Not authorized: the client is not enabled for the requested region.'),
  422: {
    ...Type.Ref('ValidationErrorBody'),
    description: 'Validation error: the failing fields are listed.',
  },
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

export const SuccessBody = Type.Object({ success: Type.Literal(true) })

/**
 * A string or null, as `type: ["string", "null"]`: the response serializer writes it directly, while an
 * anyOf union makes it validate each value to choose a branch.
 */
export const NullableString = (
  options: { description?: string; format?: string; minLength?: number; maxLength?: number } = {},
) => Type.Unsafe<string | null>({ type: ['string', 'null'], ...options })

/** A closed set of strings as `enum` (cheaper to serialize than a union of literals). */
export const StringEnum = <const T extends readonly string[]>(
  values: T,
  options: { description?: string } = {},
) => Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options })

export const NullableStringEnum = <const T extends readonly string[]>(
  values: T,
  options: { description?: string } = {},
) => Type.Unsafe<T[number] | null>({ type: ['string', 'null'], enum: [...values, null], ...options })
