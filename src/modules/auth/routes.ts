import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { VERIFICATION_STATES } from '../../db/schema.ts'
import {
  clientErrorResponses,
  errorResponse,
  NullableString,
  NullableStringEnum,
  RegionHeaders,
  RegionQuery,
  ref,
  SuccessBody,
  userErrorResponses,
} from '../../http/schemas.ts'
import { authenticatedUser, clientScope } from '../../http/scope.ts'
import { ONBOARDING_PHASES } from '../users/index.ts'
import { type AuthDeps, login, logout, sendLoginOtp } from './service.ts'

const Phase = NullableStringEnum(ONBOARDING_PHASES, {
  description: 'null when registration is complete; otherwise the onboarding step to finish',
})

export const LoginResponse = Type.Object(
  {
    accessToken: NullableString({ description: 'Bearer token (6 h); null until login is complete' }),
    userId: NullableString({ format: 'uuid' }),
    isOtpRequired: Type.Boolean({ description: 'Call /v1/auth/login/otp, then post again with otpCode' }),
    phoneNumber: NullableString({ description: 'Masked, only when an OTP is required' }),
    phase: Phase,
    verificationState: NullableStringEnum(VERIFICATION_STATES),
    isLinked: Type.Boolean({ description: 'OAuth authorization granted to this client' }),
  },
  { $id: 'LoginResult' },
)

const common = { headers: RegionHeaders, querystring: RegionQuery, tags: ['auth'] }

export const authRoutes = (deps: AuthDeps) => async (fastify: FastifyInstance) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.post(
    '/v1/auth/login',
    {
      schema: {
        ...common,
        operationId: 'login',
        summary: 'Log in with email and password (and otpCode when required)',
        body: Type.Object({
          email: Type.String({ maxLength: 254 }),
          password: Type.String({ maxLength: 1024 }),
          otpCode: Type.Optional(
            Type.String({ maxLength: 16, description: '6 digits, after /v1/auth/login/otp' }),
          ),
        }),
        response: {
          ...clientErrorResponses,
          200: ref(LoginResponse),
          400: errorResponse('Malformed JSON, or a wrong or expired otpCode.'),
          401: errorResponse(
            'Invalid email or password, or the account is temporarily locked (Retry-After).',
          ),
          403: errorResponse('Your account has been disabled (or the region is not enabled for the client).'),
          429: errorResponse('Too many failed logins from this address (Retry-After).'),
        },
      },
    },
    async (request) => login(deps, clientScope(request), request.body, request.ip),
  )

  app.post(
    '/v1/auth/login/otp',
    {
      schema: {
        ...common,
        operationId: 'sendLoginOtp',
        summary: "Text a login code to the user's phone",
        body: Type.Object({ userId: Type.String({ maxLength: 64 }) }),
        response: {
          200: ref(SuccessBody),
          429: errorResponse('Too many codes requested (Retry-After).'),
          ...clientErrorResponses,
        },
      },
    },
    async (request) => {
      await sendLoginOtp(deps, clientScope(request), request.body.userId)
      return { success: true as const }
    },
  )

  app.post(
    '/v1/auth/logout',
    {
      config: { userAuth: true },
      schema: {
        ...common,
        operationId: 'logout',
        summary: 'Revoke the access token at once',
        security: [{ clientKey: [], bearer: [] }],
        response: { 200: ref(SuccessBody), ...userErrorResponses },
      },
    },
    async (request) => {
      await logout(deps, clientScope(request), authenticatedUser(request).accessTokenId)
      return { success: true as const }
    },
  )
}
