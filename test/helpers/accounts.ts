import type { FastifyInstance, LightMyRequestResponse } from 'fastify'

export type Codes = { email(to: string): Promise<string>; sms(to: string): Promise<string> }

/** A sandbox client accepts 000000 wherever a code is asked for. */
export const sandboxCodes: Codes = { email: async () => '000000', sms: async () => '000000' }

export type Registration = {
  email: string
  password: string
  region: 'intl' | 'us'
  country: string
  phone: { countryCode: string; number: string; e164: string }
  ssn?: string
  usState?: string
  separateMailing?: boolean
  firstName?: string
  lastName?: string
  /** YYYY-MM-DD; 1990-01-31 when absent. */
  dateOfBirth?: string
  /** ISO alpha-2; the country of residence when absent. */
  nationality?: string
  address?: { line1: string; city: string; zip: string }
}

export const api = (app: FastifyInstance, clientKey: string, region: 'intl' | 'us' = 'intl') => {
  const headers = (extra: Record<string, string> = {}) => ({
    'x-client-key': clientKey,
    ...(region === 'us' ? { 'x-us-env': 'true' } : {}),
    ...extra,
  })
  return {
    post: (url: string, payload: object, extra: Record<string, string> = {}) =>
      app.inject({ method: 'POST', url, headers: headers(extra), payload }),
    get: (url: string, extra: Record<string, string> = {}) =>
      app.inject({ method: 'GET', url, headers: headers(extra) }),
  }
}

const ok = (response: LightMyRequestResponse, step: string) => {
  if (response.statusCode !== 200) throw new Error(`${step}: ${response.statusCode} ${response.body}`)
  return response.json()
}

/** Registers a user through every onboarding step over HTTP; codes come from the given receivers. */
export const register = async (
  app: FastifyInstance,
  clientKey: string,
  codes: Codes,
  person: Registration,
) => {
  const http = api(app, clientKey, person.region)
  const { contactVerificationId } = ok(
    await http.post('/v1/auth/register/email/send', { email: person.email }),
    'email/send',
  )
  const verified = ok(
    await http.post('/v1/auth/register/email/verify', {
      email: person.email,
      password: person.password,
      verificationCode: await codes.email(person.email),
      contactVerificationId,
      countryOfResidence: person.country,
      allowMarketing: false,
      allowSms: true,
    }),
    'email/verify',
  )
  const onboardingId = verified.onboardingId as string
  const phoneBody = {
    phoneCountryCode: person.phone.countryCode,
    phoneNumber: person.phone.number,
    contactVerificationId,
  }
  ok(await http.post('/v1/auth/register/phone/send', phoneBody), 'phone/send')
  ok(
    await http.post('/v1/auth/register/phone/verify', {
      ...phoneBody,
      onboardingId,
      verificationCode: await codes.sms(person.phone.e164),
    }),
    'phone/verify',
  )
  ok(
    await http.post('/v1/auth/register/personal-details', {
      onboardingId,
      firstName: person.firstName ?? 'Jane',
      lastName: person.lastName ?? 'Doe',
      dateOfBirth: person.dateOfBirth ?? '1990-01-31',
      countryOfNationality: person.nationality ?? person.country,
      ...(person.ssn ? { ssn: person.ssn } : {}),
    }),
    'personal-details',
  )
  const address = ok(
    await http.post('/v1/auth/register/address', {
      onboardingId,
      addressLine1:
        person.address?.line1 ?? (person.country === 'US' ? '1 Market St' : '23 Werrington Bridge Rd'),
      addressLine2: null,
      city: person.address?.city ?? (person.country === 'US' ? 'San Francisco' : 'Peterborough'),
      zip: person.address?.zip ?? (person.country === 'US' ? '94105' : 'PE6 7PP'),
      ...(person.usState ? { usState: person.usState } : {}),
      isSameMailingAddress: !person.separateMailing,
    }),
    'address',
  )
  if (!person.separateMailing)
    return {
      onboardingId,
      contactVerificationId,
      accessToken: address.accessToken as string,
      user: address.user,
    }
  const mailing = ok(
    await http.post('/v1/auth/register/mailing-address', {
      onboardingId,
      addressLine1: 'PO Box 42',
      city: 'Oakland',
      zip: '94601',
      usState: 'CA',
    }),
    'mailing-address',
  )
  return {
    onboardingId,
    contactVerificationId,
    accessToken: mailing.accessToken as string,
    user: mailing.user,
    beforeMailing: address,
  }
}

/** Steps 1–2 for a sandbox client (code 000000): the account exists, nothing else is done yet. */
export const createSandboxAccount = async (
  http: ReturnType<typeof api>,
  email: string,
  countryOfResidence: string,
  password = 'correct horse battery',
) => {
  const { contactVerificationId } = ok(
    await http.post('/v1/auth/register/email/send', { email }),
    'email/send',
  )
  const verified = ok(
    await http.post('/v1/auth/register/email/verify', {
      email,
      password,
      verificationCode: '000000',
      contactVerificationId,
      countryOfResidence,
      allowMarketing: false,
      allowSms: false,
    }),
    'email/verify',
  )
  return {
    contactVerificationId: contactVerificationId as string,
    onboardingId: verified.onboardingId as string,
    user: verified.user,
  }
}
