import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_ONBOARDING_BROWSERS } from '../../src/modules/hosted/claims.ts'
import {
  ONBOARDING_ID_AFTER_REGISTRATION_MS,
  ONBOARDING_ID_TTL_MS,
} from '../../src/modules/users/onboarding-id.ts'
import { api, createSandboxAccount, register, sandboxCodes } from '../helpers/accounts.ts'
import { buildTestApp, type TestApp } from '../helpers/app.ts'
import { DIALECTS } from '../helpers/dialects.ts'
import { openLink } from '../helpers/sessions.ts'

describe.each(DIALECTS)('the onboarding id is a short-lived, narrow credential (%s)', (dialect) => {
  let t: TestApp
  let clientKey: string
  let sequence = 0

  beforeAll(async () => {
    t = await buildTestApp(dialect)
    clientKey = (await t.createClient({ name: 'onboarding id', mode: 'sandbox' })).client.clientKey
  })
  afterAll(() => t.close())

  const registered = async () => {
    sequence += 1
    const number = `74004${String(10000 + sequence).slice(-5)}`
    return register(t.app, clientKey, sandboxCodes, {
      email: `onboarding-id${sequence}@example.com`,
      password: 'correct horse battery',
      region: 'intl',
      country: 'GB',
      phone: { countryCode: '+44', number, e164: `+44${number}` },
    })
  }
  const status = (onboardingId: string) =>
    api(t.app, clientKey).get(`/v1/auth/register?onboardingId=${onboardingId}`)

  it('shows only the progress once registration is complete', async () => {
    const user = await registered()
    const response = await status(user.onboardingId)
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({
      id: user.user.id,
      onboardingId: user.onboardingId,
      email: null,
      firstName: null,
      lastName: null,
      phoneNumber: null,
      phoneCountryCode: null,
      verificationState: 'UNVERIFIED',
      addressLine1: null,
      city: null,
      countryOfResidence: 'GB',
      phase: null,
    })
  })

  it('still shows an unfinished registration to resume it', async () => {
    sequence += 1
    const email = `resume${sequence}@example.com`
    const account = await createSandboxAccount(api(t.app, clientKey), email, 'GB')
    expect((await status(account.onboardingId)).json()).toMatchObject({ email, phase: 'PHONE_NUMBER' })
  })

  it('stops working 7 days after registration', async () => {
    const user = await registered()
    const link = api(t.app, clientKey).post('/v1/auth/register/verification', {
      onboardingId: user.onboardingId,
    })
    expect((await link).statusCode).toBe(200)
    t.clock.advance(ONBOARDING_ID_AFTER_REGISTRATION_MS)
    for (const response of [
      await status(user.onboardingId),
      await api(t.app, clientKey).get(`/v1/auth/register/status/${user.onboardingId}`),
      await api(t.app, clientKey).post('/v1/auth/register/verification', { onboardingId: user.onboardingId }),
    ]) {
      expect([response.statusCode, response.json()]).toEqual([
        404,
        { message: 'Invalid onboarding ID', errorCode: 'INVALID_ONBOARDING_ID' },
      ])
    }
  })

  it('an unfinished registration can be resumed for 30 days, not longer', async () => {
    sequence += 1
    const account = await createSandboxAccount(api(t.app, clientKey), `late${sequence}@example.com`, 'GB')
    t.clock.advance(ONBOARDING_ID_TTL_MS - 1)
    expect((await status(account.onboardingId)).statusCode).toBe(200)
    t.clock.advance(1)
    expect((await status(account.onboardingId)).statusCode).toBe(404)
  })

  it(`lets at most ${MAX_ONBOARDING_BROWSERS} browsers open one onboarding link`, async () => {
    const user = await registered()
    const link = (
      await api(t.app, clientKey).post('/v1/auth/register/verification', { onboardingId: user.onboardingId })
    ).json()
    const browsers = Array.from({ length: MAX_ONBOARDING_BROWSERS }, () => ({}) as { cookie?: string })
    for (const browser of browsers)
      expect((await openLink(t.app, link.sessionUrl, browser)).statusCode).toBe(303)
    const extra = await Promise.all(Array.from({ length: 5 }, () => openLink(t.app, link.sessionUrl, {})))
    expect(extra.map((response) => response.statusCode)).toEqual([410, 410, 410, 410, 410])
    const claims = await t.runtime.databases.byRegion.intl.db
      .selectFrom('session_claim')
      .select('digest')
      .where('session_id', '=', link.sessionId)
      .execute()
    expect(claims).toHaveLength(MAX_ONBOARDING_BROWSERS)
    // A browser that already holds the link keeps it.
    expect((await openLink(t.app, link.sessionUrl, browsers[0])).statusCode).toBe(303)
  })
})
