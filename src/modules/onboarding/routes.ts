import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import {
  clientErrorResponses,
  errorResponse,
  NullableString,
  NullableStringEnum,
  RegionHeaders,
  RegionQuery,
  ref,
  SuccessBody,
} from '../../http/schemas.ts'
import { clientScope } from '../../http/scope.ts'
import { ONBOARDING_PHASES, UserSchema, VerificationStateSchema } from '../users/index.ts'
import {
  type OnboardingDeps,
  onboardingStatus,
  sendEmailCode,
  sendPhoneCode,
  submitAddress,
  submitMailingAddress,
  submitPersonalDetails,
  verifyEmail,
  verifyPhone,
} from './service.ts'

const str = (maxLength: number, description?: string) =>
  Type.String({ maxLength, ...(description ? { description } : {}) })
const OptionalText = (maxLength: number, description?: string) =>
  Type.Optional(Type.Union([str(maxLength, description), Type.Null()]))
const OnboardingId = str(64, 'From register/email/verify')
const Code = Type.String({
  maxLength: 16,
  description: '6-digit code from the email or SMS (sandbox clients: 000000)',
})
const UserRef = ref(UserSchema)

export const OnboardingResult = Type.Object(
  { onboardingId: Type.String(), user: UserRef },
  { $id: 'OnboardingStepResult' },
)
export const AddressResult = Type.Object(
  {
    accessToken: NullableString({ description: 'Issued when registration is complete (6 h)' }),
    onboardingId: Type.String(),
    user: UserRef,
  },
  { $id: 'OnboardingAddressResult' },
)

export const PersonalDetailsBody = Type.Object(
  {
    onboardingId: OnboardingId,
    firstName: str(100),
    lastName: str(100),
    dateOfBirth: str(10, 'YYYY-MM-DD; at least 18 years old'),
    countryOfNationality: str(2, 'ISO 3166-1 alpha-2'),
    ssn: OptionalText(11, 'US residents only (required for them): 123-45-6789 or 123456789'),
  },
  { $id: 'PersonalDetails' },
)

const AddressFields = {
  onboardingId: OnboardingId,
  addressLine1: str(100),
  addressLine2: OptionalText(100),
  city: str(100),
  zip: str(16),
  usState: OptionalText(2, 'US residents: postal abbreviation (required for them)'),
}

export const OnboardingStatus = Type.Object(
  {
    id: Type.String({ description: 'The user id' }),
    onboardingId: Type.String(),
    email: NullableString({ description: 'null once registration is complete' }),
    firstName: NullableString(),
    lastName: NullableString(),
    phoneNumber: NullableString(),
    phoneCountryCode: NullableString(),
    verificationState: VerificationStateSchema,
    addressLine1: NullableString(),
    city: NullableString(),
    countryOfResidence: Type.String(),
    phase: NullableStringEnum(ONBOARDING_PHASES, { description: 'The next step, or null when registered' }),
  },
  { $id: 'OnboardingStatus' },
)

const stepErrors = {
  ...clientErrorResponses,
  400: errorResponse('Malformed JSON, or a wrong, expired, used or over-tried verification code.'),
  404: errorResponse('Invalid onboarding ID (unknown, of another client, or expired).'),
  409: errorResponse(
    'A previous step is missing (missingStep names it), or registration is already complete.',
  ),
  429: errorResponse(
    'Too many codes for this address or phone (RATE_LIMITED), the app spent its hourly email or SMS budget (MESSAGE_BUDGET_EXCEEDED), or a 4th phone number for one contactVerificationId (PHONE_NUMBER_LIMIT); retryAfter says when to try again.',
  ),
}

const common = { headers: RegionHeaders, querystring: RegionQuery, tags: ['onboarding'] }

/** Baanx onboarding, keyed by onboardingId: no user token, only x-client-key (and x-us-env). */
export const onboardingRoutes = (deps: OnboardingDeps) => async (fastify: FastifyInstance) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.post(
    '/v1/auth/register/email/send',
    {
      schema: {
        ...common,
        operationId: 'registerEmail',
        summary: 'Step 1: email a 6-digit code',
        body: Type.Object({ email: str(254) }),
        response: { 200: Type.Object({ contactVerificationId: Type.String() }), ...stepErrors },
      },
    },
    async (request) => sendEmailCode(deps, clientScope(request), request.body),
  )

  app.post(
    '/v1/auth/register/email/verify',
    {
      schema: {
        ...common,
        operationId: 'verifyRegistrationEmail',
        summary: 'Step 2: verify the emailed code and create the account',
        body: Type.Object({
          email: str(254),
          password: Type.String({
            maxLength: 1024,
            description: '8 to 128 characters, not a common password',
          }),
          verificationCode: Code,
          contactVerificationId: str(64),
          countryOfResidence: str(2, 'ISO 3166-1 alpha-2; US residents use the us region'),
          allowMarketing: Type.Boolean(),
          allowSms: Type.Boolean(),
          userExternalId: Type.Optional(str(128, 'Your own id for this user')),
        }),
        response: {
          200: Type.Object({
            hasAccount: Type.Boolean({
              description: 'True when this email already has an account: log in instead',
            }),
            onboardingId: Type.Union([Type.String(), Type.Null()]),
            user: Type.Union([UserRef, Type.Null()]),
          }),
          ...stepErrors,
        },
      },
    },
    async (request) => verifyEmail(deps, clientScope(request), request.body),
  )

  app.post(
    '/v1/auth/register/phone/send',
    {
      schema: {
        ...common,
        operationId: 'registerPhone',
        summary: 'Text a 6-digit code to the phone',
        body: Type.Object({
          phoneCountryCode: str(5, 'With +, e.g. +44'),
          phoneNumber: str(20, 'Without the country code'),
          contactVerificationId: str(64),
        }),
        response: { 200: ref(SuccessBody), ...stepErrors },
      },
    },
    async (request) => sendPhoneCode(deps, clientScope(request), request.body),
  )

  app.post(
    '/v1/auth/register/phone/verify',
    {
      schema: {
        ...common,
        operationId: 'verifyRegistrationPhone',
        summary: 'Verify the texted code',
        body: Type.Object({
          onboardingId: OnboardingId,
          phoneCountryCode: str(5),
          phoneNumber: str(20),
          contactVerificationId: str(64),
          verificationCode: Code,
        }),
        response: { 200: ref(OnboardingResult), ...stepErrors },
      },
    },
    async (request) => verifyPhone(deps, clientScope(request), request.body),
  )

  for (const [path, operationId, summary] of [
    [
      '/v1/auth/register/personal-details',
      'registerPersonalDetails',
      'Name, date of birth, nationality, SSN (US)',
    ],
    ['/v1/auth/register/details', 'registerDetails', 'Alias of personal-details (newer MetaMask)'],
  ] as const) {
    app.post(
      path,
      {
        schema: {
          ...common,
          operationId,
          summary,
          body: ref(PersonalDetailsBody),
          response: { 200: ref(OnboardingResult), ...stepErrors },
        },
      },
      async (request) => submitPersonalDetails(deps, clientScope(request), request.body),
    )
  }

  app.post(
    '/v1/auth/register/address',
    {
      schema: {
        ...common,
        operationId: 'registerAddress',
        summary:
          'Physical address; completes registration unless a US resident has a separate mailing address',
        body: Type.Object({
          ...AddressFields,
          isSameMailingAddress: Type.Optional(
            Type.Boolean({ description: 'Default true; false only for US residents' }),
          ),
        }),
        response: { 200: ref(AddressResult), ...stepErrors },
      },
    },
    async (request) => submitAddress(deps, clientScope(request), request.body),
  )

  app.post(
    '/v1/auth/register/mailing-address',
    {
      schema: {
        ...common,
        operationId: 'registerMailingAddress',
        summary: 'US residents: the separate mailing address; completes registration',
        body: Type.Object(AddressFields),
        response: { 200: ref(AddressResult), ...stepErrors },
      },
    },
    async (request) => submitMailingAddress(deps, clientScope(request), request.body),
  )

  const statusErrors = {
    ...clientErrorResponses,
    404: errorResponse('Invalid onboarding ID (unknown, of another client, or expired).'),
  }

  app.get(
    '/v1/auth/register',
    {
      schema: {
        ...common,
        operationId: 'getOnboardingStatus',
        summary: 'Onboarding progress (poll verificationState here before login)',
        description:
          'Once registration is complete only the progress is shown (id, verificationState, phase, countryOfResidence; the personal fields are null: log in to read them). An onboarding id works for 30 days after the account was created and for 7 days after registration is complete; then it is 404.',
        querystring: Type.Object({ ...RegionQuery.properties, onboardingId: str(64) }),
        response: { 200: ref(OnboardingStatus), ...statusErrors },
      },
    },
    async (request) => onboardingStatus(deps, clientScope(request), request.query.onboardingId),
  )

  app.get(
    '/v1/auth/register/status/:onboardingId',
    {
      schema: {
        ...common,
        operationId: 'getRegistrationStatus',
        summary: 'Alias of GET /v1/auth/register (newer MetaMask)',
        params: Type.Object({ onboardingId: str(64) }),
        response: { 200: ref(OnboardingStatus), ...statusErrors },
      },
    },
    async (request) => onboardingStatus(deps, clientScope(request), request.params.onboardingId),
  )
}
