import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyReply } from 'fastify'
import { Type } from 'typebox'
import { SESSION_KINDS, SESSION_OUTCOMES, SESSION_STATUSES } from '../../db/schema.ts'
import {
  clientErrorResponses,
  errorResponse,
  NullableString,
  NullableStringEnum,
  RegionHeaders,
  RegionQuery,
  ref,
  StringEnum,
  userErrorResponses,
} from '../../http/schemas.ts'
import { authenticatedUser, clientScope } from '../../http/scope.ts'
import { LIMIT_IDS } from './limits.ts'
import { REASON_CATEGORIES, REASON_CODES } from './reasons.ts'
import {
  createUserSession,
  getOnboardingSession,
  type IssuedSession,
  listSessions,
  type SessionDeps,
} from './sessions.ts'

export const SessionLinkSchema = Type.Object(
  {
    sessionUrl: Type.String({
      format: 'uri',
      description:
        'Send the user here. Single-use and valid 24 h (user), or reusable for 7 days (onboarding)',
    }),
    sessionId: Type.String(),
    expiresAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'VerificationSessionLink' },
)

export const SessionLimitErrorBody = Type.Object(
  {
    message: Type.Literal('Rate limit exceeded'),
    errorCode: Type.Literal('RATE_LIMITED'),
    retryAfter: Type.Integer(),
    limit: StringEnum(LIMIT_IDS),
  },
  { $id: 'SessionLimitErrorBody' },
)

const limitResponses = {
  409: errorResponse('Verification already in progress: a submission is being checked or reviewed.'),
  429: ref(SessionLimitErrorBody, {
    description: 'A per-user limit: retryAfter seconds (also in Retry-After) and which limit.',
  }),
}

export const ReasonSchema = Type.Object(
  {
    code: StringEnum(REASON_CODES, { description: 'Stable reason code, e.g. FACE_MISMATCH' }),
    category: StringEnum(REASON_CATEGORIES),
    retryable: Type.Boolean({ description: 'Whether a new attempt can succeed' }),
    failureCode: Type.String({
      description: 'Veriff-style numeric code, as in the kyc.status.changed webhook',
    }),
    message: Type.String({ description: 'Safe to show the end user' }),
  },
  { $id: 'VerificationReason' },
)
export const SessionSchema = Type.Object(
  {
    id: Type.String(),
    kind: StringEnum(SESSION_KINDS),
    status: StringEnum(SESSION_STATUSES),
    outcome: NullableStringEnum(SESSION_OUTCOMES, {
      description:
        'abandoned and resubmission_required count as failures; review waits for a compliance officer',
    }),
    reasons: Type.Array(ref(ReasonSchema), { description: 'User-safe reasons for the outcome' }),
    createdAt: Type.String({ format: 'date-time' }),
    openedAt: NullableString({ format: 'date-time' }),
    submittedAt: NullableString({ format: 'date-time' }),
    decidedAt: NullableString({ format: 'date-time' }),
    expiresAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'VerificationSession' },
)

/** Sends the daily quota as RateLimit-* headers (when a session was created) and the link as the body. */
const sendLink = (reply: FastifyReply, { quota, ...link }: IssuedSession) => {
  if (quota) {
    reply.headers({
      'ratelimit-limit': String(quota.limit),
      'ratelimit-remaining': String(quota.remaining),
      'ratelimit-reset': String(quota.resetSeconds),
    })
  }
  return link
}

export const verificationRoutes = (deps: SessionDeps) => async (fastify: FastifyInstance) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get(
    '/v1/user/verification',
    {
      config: { userAuth: true },
      schema: {
        operationId: 'createVerificationSession',
        tags: ['verification'],
        summary: 'A single-use verification link for the logged-in user (24 h)',
        security: [{ clientKey: [], bearer: [] }],
        headers: RegionHeaders,
        querystring: RegionQuery,
        response: { 200: ref(SessionLinkSchema), ...userErrorResponses, ...limitResponses },
      },
    },
    async (request, reply) => {
      return sendLink(
        reply,
        await createUserSession(deps, clientScope(request), authenticatedUser(request).user),
      )
    },
  )

  app.get(
    '/v1/user/verification/sessions',
    {
      config: { userAuth: true },
      schema: {
        operationId: 'listVerificationSessions',
        tags: ['verification'],
        summary: "The user's verification sessions with outcomes and reasons (never their links)",
        security: [{ clientKey: [], bearer: [] }],
        headers: RegionHeaders,
        querystring: RegionQuery,
        response: { 200: Type.Object({ sessions: Type.Array(ref(SessionSchema)) }), ...userErrorResponses },
      },
    },
    async (request) => ({
      sessions: await listSessions(deps, clientScope(request), authenticatedUser(request).user),
    }),
  )

  for (const [path, operationId, summary] of [
    [
      '/v1/auth/register/verification',
      'createOnboardingVerificationSession',
      'The onboarding verification link (7 days, reusable until submitted)',
    ],
    [
      '/v1/auth/register/verification/start',
      'startOnboardingVerificationSession',
      'Alias of /v1/auth/register/verification (newer MetaMask)',
    ],
  ] as const) {
    app.post(
      path,
      {
        schema: {
          operationId,
          tags: ['onboarding'],
          summary,
          headers: RegionHeaders,
          querystring: RegionQuery,
          body: Type.Object({ onboardingId: Type.String({ maxLength: 64 }) }),
          response: {
            200: ref(SessionLinkSchema),
            ...clientErrorResponses,
            404: errorResponse('Invalid onboarding ID.'),
            ...limitResponses,
          },
        },
      },
      async (request, reply) => {
        return sendLink(
          reply,
          await getOnboardingSession(deps, clientScope(request), request.body.onboardingId),
        )
      },
    )
  }
}
