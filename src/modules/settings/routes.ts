import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { clientErrorResponses, NullableString, RegionHeaders, RegionQuery, ref } from '../../http/schemas.ts'
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../auth/index.ts'
import { CODE_MAX_ATTEMPTS, CODE_TTL_MS } from '../codes/index.ts'
import { MINIMUM_AGE } from './eligibility.ts'
import { countryList, usStateList } from './geography.ts'

export type SettingsConfig = { TERMS_URL?: string | undefined; PRIVACY_URL?: string | undefined }

export const LegalLinks = Type.Object(
  { termsOfService: NullableString(), privacyPolicy: NullableString() },
  { $id: 'LegalLinks' },
)

export const SignUpFormRules = Type.Object(
  {
    passwordMinLength: Type.Integer(),
    passwordMaxLength: Type.Integer(),
    minimumAge: Type.Integer(),
    verificationCodeLength: Type.Integer(),
    verificationCodeTtlSeconds: Type.Integer(),
    verificationCodeMaxAttempts: Type.Integer(),
    ssnRequired: Type.Boolean(),
    separateMailingAddressAllowed: Type.Boolean(),
  },
  { $id: 'SignUpFormRules' },
)

export const SignUpSettings = Type.Object(
  {
    countries: Type.Array(
      Type.Object({
        id: Type.String({ format: 'uuid' }),
        iso3166alpha2: Type.String(),
        name: Type.String(),
        callingCode: Type.String({ description: 'Without +, e.g. 44' }),
        canSignUp: Type.Boolean({
          description: 'Residents may register in the region this request was routed to',
        }),
      }),
    ),
    usStates: Type.Array(
      Type.Object({
        id: Type.String({ format: 'uuid' }),
        name: Type.String(),
        postalAbbreviation: Type.String(),
        canSignUp: Type.Boolean(),
      }),
    ),
    links: Type.Object({ intl: ref(LegalLinks), us: ref(LegalLinks) }),
    config: Type.Object({ intl: ref(SignUpFormRules), us: ref(SignUpFormRules) }),
  },
  { $id: 'SignUpSettings' },
)

const formConfig = (us: boolean) => ({
  passwordMinLength: PASSWORD_MIN_LENGTH,
  passwordMaxLength: PASSWORD_MAX_LENGTH,
  minimumAge: MINIMUM_AGE,
  verificationCodeLength: 6,
  verificationCodeTtlSeconds: CODE_TTL_MS / 1000,
  verificationCodeMaxAttempts: CODE_MAX_ATTEMPTS,
  ssnRequired: us,
  separateMailingAddressAllowed: us,
})

/** GET /v1/auth/settings: what a sign-up form needs, for the region the request is routed to. */
export const settingsRoutes = (config: SettingsConfig) => async (fastify: FastifyInstance) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const links = { termsOfService: config.TERMS_URL ?? null, privacyPolicy: config.PRIVACY_URL ?? null }
  // Computed once: the lists only change with a release.
  const settingsFor = (region: 'intl' | 'us') => ({
    countries: countryList(region),
    usStates: usStateList(region),
    links: { intl: links, us: links },
    config: { intl: formConfig(false), us: formConfig(true) },
  })
  const byRegion = { intl: settingsFor('intl'), us: settingsFor('us') }
  for (const [path, operationId, summary] of [
    ['/v1/auth/settings', 'getSignUpSettings', 'Countries, US states, legal links and form rules'],
    ['/v1/auth/register/settings', 'getRegistrationSettings', 'Alias of /v1/auth/settings (newer MetaMask)'],
  ] as const) {
    app.get(
      path,
      {
        schema: {
          operationId,
          tags: ['onboarding'],
          summary,
          headers: RegionHeaders,
          querystring: RegionQuery,
          response: { 200: ref(SignUpSettings), ...clientErrorResponses },
        },
      },
      async (request, reply) => {
        // The answer depends on the region, which the client may choose by header.
        reply.header('cache-control', 'public, max-age=3600').header('vary', 'x-us-env, origin')
        return byRegion[request.region]
      },
    )
  }
}
