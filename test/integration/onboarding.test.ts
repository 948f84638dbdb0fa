import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CODE_TTL_MS } from '../../src/modules/codes/index.ts'
import { api, type Codes, createSandboxAccount, register } from '../helpers/accounts.ts'
import { buildTestApp, type TestApp } from '../helpers/app.ts'
import { DIALECTS } from '../helpers/dialects.ts'
import { startSmsReceiver, startSmtpReceiver } from '../helpers/receivers.ts'

const SMS_TOKEN = 'sms-gateway-token'

describe.each(DIALECTS)('Baanx onboarding over HTTP with real SMTP and SMS receivers (%s)', (dialect) => {
  let t: TestApp
  let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>
  let sms: Awaited<ReturnType<typeof startSmsReceiver>>
  let live: Awaited<ReturnType<TestApp['createClient']>>
  let sandbox: Awaited<ReturnType<TestApp['createClient']>>
  let codes: Codes
  let sequence = 0
  const uniqueEmail = () => `person${++sequence}@example.com`
  const ukPhone = () => {
    const number = `74008${String(10000 + sequence).slice(-5)}`
    return { countryCode: '+44', number, e164: `+44${number}` }
  }

  beforeAll(async () => {
    smtp = await startSmtpReceiver()
    sms = await startSmsReceiver(SMS_TOKEN)
    t = await buildTestApp(dialect, {
      worker: true,
      env: { SMTP_URL: smtp.url, SMS_WEBHOOK_URL: sms.url, SMS_WEBHOOK_TOKEN: SMS_TOKEN },
    })
    live = await t.createClient({ name: 'live app', mode: 'live', regions: ['intl', 'us'] })
    sandbox = await t.createClient({ name: 'sandbox app', mode: 'sandbox', regions: ['intl', 'us'] })
    codes = { email: smtp.codeFor, sms: sms.codeFor }
  })
  afterAll(async () => {
    await t.close()
    await smtp.close()
    await sms.close()
  })

  describe('200', () => {
    it('registers a GB user end to end; the token works on GET /v1/user', async () => {
      const email = uniqueEmail()
      const phone = ukPhone()
      const registered = await register(t.app, live.client.clientKey, codes, {
        email,
        password: 'correct horse battery',
        region: 'intl',
        country: 'GB',
        phone,
      })
      expect(registered.accessToken).toMatch(/^INTL_[A-Za-z0-9_-]{43}$/)
      const me = await api(t.app, live.client.clientKey).get('/v1/user', {
        authorization: `Bearer ${registered.accessToken}`,
      })
      expect(me.statusCode).toBe(200)
      expect(me.json()).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        email,
        firstName: 'Jane',
        lastName: 'Doe',
        dateOfBirth: '1990-01-31',
        verificationState: 'UNVERIFIED',
        phoneNumber: phone.number,
        phoneCountryCode: '+44',
        addressLine1: '23 Werrington Bridge Rd',
        addressLine2: null,
        city: 'Peterborough',
        zip: 'PE6 7PP',
        usState: null,
        mailingAddressLine1: null,
        mailingAddressLine2: null,
        mailingCity: null,
        mailingZip: null,
        mailingUsState: null,
        countryOfResidence: 'GB',
        countryOfNationality: 'GB',
        ssn: null,
        createdAt: new Date(t.clock.now()).toISOString(),
      })
      // The SMS gateway got the code with the bearer token; the email went through real SMTP.
      expect(sms.messages.some((message) => message.to === phone.e164)).toBe(true)
      expect(smtp.messages.some((message) => message.to === email)).toBe(true)
    })

    it('registers a US user with SSN and a separate mailing address; the SSN is stored sealed and shown masked', async () => {
      const email = uniqueEmail()
      const registered = await register(t.app, live.client.clientKey, codes, {
        email,
        password: 'correct horse battery',
        region: 'us',
        country: 'US',
        phone: { countryCode: '+1', number: '2015550123', e164: '+12015550123' },
        ssn: '123-45-6789',
        usState: 'CA',
        separateMailing: true,
      })
      expect(registered.beforeMailing).toMatchObject({ accessToken: null })
      expect(registered.accessToken).toMatch(/^US_/)
      const me = await api(t.app, live.client.clientKey, 'us').get('/v1/user', {
        authorization: `Bearer ${registered.accessToken}`,
      })
      expect(me.json()).toMatchObject({
        countryOfResidence: 'US',
        usState: 'CA',
        ssn: '***-**-6789',
        mailingAddressLine1: 'PO Box 42',
        mailingCity: 'Oakland',
        mailingZip: '94601',
        mailingUsState: 'CA',
      })
      const row = await t.runtime.databases.byRegion.us.db
        .selectFrom('app_user')
        .selectAll()
        .where('email', '=', email)
        .executeTakeFirstOrThrow()
      expect(row.ssn_sealed).toMatch(/^v1\./)
      expect(JSON.stringify(row)).not.toContain('123456789')
      // The user lives only in the us database.
      const intl = await t.runtime.databases.byRegion.intl.db
        .selectFrom('app_user')
        .select('id')
        .where('email', '=', email)
        .execute()
      expect(intl).toEqual([])
    })

    it('reports progress on GET /v1/auth/register with the next step', async () => {
      const http = api(t.app, sandbox.client.clientKey)
      const email = uniqueEmail()
      const { contactVerificationId } = (await http.post('/v1/auth/register/email/send', { email })).json()
      const verified = (
        await http.post('/v1/auth/register/email/verify', {
          email,
          password: 'correct horse battery',
          verificationCode: '000000',
          contactVerificationId,
          countryOfResidence: 'FR',
          allowMarketing: true,
          allowSms: false,
        })
      ).json()
      expect(verified).toMatchObject({
        hasAccount: false,
        onboardingId: expect.any(String),
        user: { email, countryOfResidence: 'FR' },
      })
      const progress = await http.get(`/v1/auth/register?onboardingId=${verified.onboardingId}`)
      expect(progress.statusCode).toBe(200)
      expect(progress.json()).toMatchObject({
        id: verified.user.id,
        email,
        phoneNumber: null,
        firstName: null,
        addressLine1: null,
        verificationState: 'UNVERIFIED',
        countryOfResidence: 'FR',
        phase: 'PHONE_NUMBER',
      })
      const alias = await http.get(`/v1/auth/register/status/${verified.onboardingId}`)
      expect(alias.json()).toEqual(progress.json())
    })

    it('answers hasAccount for a known email, only after the emailed code proves the mailbox', async () => {
      const email = uniqueEmail()
      await register(
        t.app,
        sandbox.client.clientKey,
        { email: async () => '000000', sms: async () => '000000' },
        {
          email,
          password: 'correct horse battery',
          region: 'intl',
          country: 'DE',
          phone: { countryCode: '+49', number: '15123456789', e164: '+4915123456789' },
        },
      )
      const http = api(t.app, sandbox.client.clientKey)
      const again = (await http.post('/v1/auth/register/email/send', { email })).json()
      expect(again).toEqual({ contactVerificationId: expect.any(String) })
      const verified = await http.post('/v1/auth/register/email/verify', {
        email,
        password: 'another good password',
        verificationCode: '000000',
        contactVerificationId: again.contactVerificationId,
        countryOfResidence: 'DE',
        allowMarketing: false,
        allowSms: false,
      })
      expect(verified.json()).toEqual({ hasAccount: true, onboardingId: null, user: null })
    })

    it('serves settings per region, with US states and calling codes', async () => {
      const intl = (await api(t.app, live.client.clientKey).get('/v1/auth/settings')).json()
      const gb = intl.countries.find((country: { iso3166alpha2: string }) => country.iso3166alpha2 === 'GB')
      expect(gb).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        iso3166alpha2: 'GB',
        name: 'United Kingdom',
        callingCode: '44',
        canSignUp: true,
      })
      expect(
        intl.countries.find((country: { iso3166alpha2: string }) => country.iso3166alpha2 === 'US').canSignUp,
      ).toBe(false)
      expect(
        intl.countries.find((country: { iso3166alpha2: string }) => country.iso3166alpha2 === 'KP').canSignUp,
      ).toBe(false)
      expect(intl.usStates).toContainEqual(
        expect.objectContaining({ name: 'California', postalAbbreviation: 'CA', canSignUp: false }),
      )
      expect(intl.config.us.ssnRequired).toBe(true)
      expect(Object.keys(intl.links)).toEqual(['intl', 'us'])

      const us = (await api(t.app, live.client.clientKey, 'us').get('/v1/auth/register/settings')).json()
      expect(
        us.countries
          .filter((country: { canSignUp: boolean }) => country.canSignUp)
          .map((country: { iso3166alpha2: string }) => country.iso3166alpha2),
      ).toEqual(['US'])
      expect(us.usStates.every((state: { canSignUp: boolean }) => state.canSignUp)).toBe(true)
      // Ids are stable across calls and regions.
      expect(
        us.countries.find((country: { iso3166alpha2: string }) => country.iso3166alpha2 === 'GB').id,
      ).toBe(gb.id)
    })
  })

  describe('400 codes', () => {
    const start = async (clientKey: string) => {
      const http = api(t.app, clientKey)
      const email = uniqueEmail()
      const { contactVerificationId } = (await http.post('/v1/auth/register/email/send', { email })).json()
      const verify = (code: string) =>
        http.post('/v1/auth/register/email/verify', {
          email,
          password: 'correct horse battery',
          verificationCode: code,
          contactVerificationId,
          countryOfResidence: 'GB',
          allowMarketing: false,
          allowSms: false,
        })
      return { email, verify }
    }

    it('a live client refuses the sandbox code and a wrong code, saying how many tries remain', async () => {
      const { verify } = await start(live.client.clientKey)
      const magic = await verify('000000')
      expect(magic.statusCode).toBe(400)
      expect(magic.json()).toEqual({
        message: 'Invalid verification code',
        errorCode: 'INVALID_CODE',
        attemptsRemaining: 4,
      })
    })

    it('a replayed code is refused', async () => {
      const { email, verify } = await start(live.client.clientKey)
      const code = await smtp.codeFor(email)
      expect((await verify(code)).statusCode).toBe(200)
      const replay = await verify(code)
      expect(replay.statusCode).toBe(400)
    })

    it('five wrong guesses burn the code: even the right one fails afterwards', async () => {
      const { email, verify } = await start(live.client.clientKey)
      const code = await smtp.codeFor(email)
      const wrong = code === '111111' ? '222222' : '111111'
      for (let i = 0; i < 4; i++) expect((await verify(wrong)).json().errorCode).toBe('INVALID_CODE')
      expect((await verify(wrong)).json()).toEqual({
        message: 'Too many wrong codes; request a new one',
        errorCode: 'CODE_ATTEMPTS_EXCEEDED',
      })
      expect((await verify(code)).json().errorCode).toBe('CODE_ATTEMPTS_EXCEEDED')
    })

    it('parallel guesses cannot exceed five attempts', async () => {
      const { verify } = await start(live.client.clientKey)
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => verify(String(100000 + i))))
      const counted = results.filter((result) => result.json().errorCode === 'INVALID_CODE').length
      expect(counted).toBeLessThanOrEqual(4)
      const row = await t.runtime.databases.byRegion.intl.db
        .selectFrom('verification_code')
        .select('attempts')
        .orderBy('created_at', 'desc')
        .limit(1)
        .executeTakeFirstOrThrow()
      expect(row.attempts).toBeLessThanOrEqual(5)
    })

    it('an expired code is refused', async () => {
      const { email, verify } = await start(live.client.clientKey)
      const code = await smtp.codeFor(email)
      t.clock.advance(CODE_TTL_MS)
      const expired = await verify(code)
      expect(expired.json()).toEqual({
        message: 'Verification code expired; request a new one',
        errorCode: 'CODE_EXPIRED',
      })
    })
  })

  describe('404', () => {
    it("an unknown onboarding id, or another client's, is 'Invalid onboarding ID'", async () => {
      const registered = await register(
        t.app,
        sandbox.client.clientKey,
        { email: async () => '000000', sms: async () => '000000' },
        {
          email: uniqueEmail(),
          password: 'correct horse battery',
          region: 'intl',
          country: 'GB',
          phone: ukPhone(),
        },
      )
      for (const [key, id] of [
        [sandbox.client.clientKey, '00000000-0000-4000-8000-000000000000'],
        [live.client.clientKey, registered.onboardingId],
      ] as const) {
        const response = await api(t.app, key).get(`/v1/auth/register?onboardingId=${id}`)
        expect(response.statusCode, id).toBe(404)
        expect(response.json(), id).toEqual({
          message: 'Invalid onboarding ID',
          errorCode: 'INVALID_ONBOARDING_ID',
        })
      }
    })
  })

  describe('409', () => {
    it('names the missing step when steps come out of order, and refuses steps after completion', async () => {
      const http = api(t.app, sandbox.client.clientKey)
      const email = uniqueEmail()
      const { contactVerificationId, onboardingId } = await createSandboxAccount(http, email, 'GB')
      const details = {
        onboardingId,
        firstName: 'Jane',
        lastName: 'Doe',
        dateOfBirth: '1990-01-31',
        countryOfNationality: 'GB',
      }
      const address = { onboardingId, addressLine1: '1 High St', city: 'Leeds', zip: 'LS1 1AA' }

      const early = await http.post('/v1/auth/register/personal-details', details)
      expect(early.statusCode).toBe(409)
      expect(early.json()).toEqual({
        message: 'Complete phone verification (register/phone/verify) first',
        errorCode: 'ONBOARDING_STEP_MISSING',
        missingStep: 'PHONE_NUMBER',
      })
      const phone = { phoneCountryCode: '+44', phoneNumber: '7400846282', contactVerificationId }
      await http.post('/v1/auth/register/phone/send', phone)
      await http.post('/v1/auth/register/phone/verify', {
        ...phone,
        onboardingId,
        verificationCode: '000000',
      })
      expect((await http.post('/v1/auth/register/address', address)).json().missingStep).toBe(
        'PERSONAL_INFORMATION',
      )
      expect((await http.post('/v1/auth/register/personal-details', details)).statusCode).toBe(200)
      expect(
        (await http.post('/v1/auth/register/mailing-address', { ...address, usState: 'CA' })).json()
          .missingStep,
      ).toBe('PHYSICAL_ADDRESS')
      const done = await http.post('/v1/auth/register/address', address)
      expect(done.json().accessToken).toMatch(/^INTL_/)
      const after = await http.post('/v1/auth/register/address', address)
      expect(after.statusCode).toBe(409)
      expect(after.json().errorCode).toBe('REGISTRATION_COMPLETE')
    })
  })

  describe('422', () => {
    it('explains each invalid field', async () => {
      const http = api(t.app, sandbox.client.clientKey)
      const email = uniqueEmail()
      expect(
        (await http.post('/v1/auth/register/email/send', { email: 'not-an-email' })).json().errors,
      ).toEqual([{ field: 'email', message: 'must be a valid email address' }])
      const { contactVerificationId } = (await http.post('/v1/auth/register/email/send', { email })).json()
      const bad = await http.post('/v1/auth/register/email/verify', {
        email,
        password: 'password',
        verificationCode: '000000',
        contactVerificationId,
        countryOfResidence: 'US',
        allowMarketing: false,
        allowSms: false,
      })
      expect(bad.statusCode).toBe(422)
      expect(bad.json().errors).toEqual([
        {
          field: 'countryOfResidence',
          message: 'US residents register in the us region (send x-us-env: true)',
        },
        { field: 'password', message: 'is too common; choose a longer or less predictable one' },
      ])
      const missing = await http.post('/v1/auth/register/email/verify', { email })
      expect(missing.statusCode).toBe(422)
      expect(
        missing
          .json()
          .errors.map((error: { field: string }) => error.field)
          .sort(),
      ).toEqual([
        'allowMarketing',
        'allowSms',
        'contactVerificationId',
        'countryOfResidence',
        'password',
        'verificationCode',
      ])
      const oversized = await http.post('/v1/auth/register/email/send', {
        email: `${'a'.repeat(300)}@example.com`,
      })
      expect(oversized.statusCode).toBe(422)
      expect(oversized.json().errors[0].field).toBe('email')
    })

    it('checks phone, age, SSN, state and ZIP', async () => {
      const http = api(t.app, sandbox.client.clientKey, 'us')
      const email = uniqueEmail()
      const { contactVerificationId, onboardingId } = await createSandboxAccount(http, email, 'US')
      const badPhone = await http.post('/v1/auth/register/phone/send', {
        phoneCountryCode: '+1',
        phoneNumber: '12',
        contactVerificationId,
      })
      expect(badPhone.json().errors).toEqual([
        { field: 'phoneNumber', message: 'is not a valid phone number for phoneCountryCode' },
      ])
      const phone = { phoneCountryCode: '+1', phoneNumber: '2015550199', contactVerificationId }
      await http.post('/v1/auth/register/phone/send', phone)
      await http.post('/v1/auth/register/phone/verify', {
        ...phone,
        onboardingId,
        verificationCode: '000000',
      })

      const minor = new Date(t.clock.now() - 17 * 365 * 24 * 3600 * 1000).toISOString().slice(0, 10)
      const details = await http.post('/v1/auth/register/personal-details', {
        onboardingId,
        firstName: 'J4ne',
        lastName: 'Doe',
        dateOfBirth: minor,
        countryOfNationality: 'XX',
      })
      expect(details.json().errors).toEqual([
        {
          field: 'firstName',
          message: 'must contain letters only (with spaces, apostrophes, dots or hyphens)',
        },
        { field: 'dateOfBirth', message: 'you must be at least 18 years old' },
        { field: 'countryOfNationality', message: 'must be an ISO 3166-1 alpha-2 country code' },
        { field: 'ssn', message: 'is required for US residents' },
      ])
      const badSsn = await http.post('/v1/auth/register/personal-details', {
        onboardingId,
        firstName: 'Jane',
        lastName: "O'Brien-Smith",
        dateOfBirth: '1990-02-30',
        countryOfNationality: 'US',
        ssn: '666-12-3456',
      })
      expect(badSsn.json().errors).toEqual([
        { field: 'dateOfBirth', message: 'must be a real date written YYYY-MM-DD' },
        { field: 'ssn', message: 'must be a valid US Social Security number (123-45-6789)' },
      ])
      await http.post('/v1/auth/register/personal-details', {
        onboardingId,
        firstName: 'Jane',
        lastName: 'Doe',
        dateOfBirth: '1990-01-31',
        countryOfNationality: 'US',
        ssn: '123456789',
      })
      const address = await http.post('/v1/auth/register/address', {
        onboardingId,
        addressLine1: '1 Main St',
        city: 'Austin',
        zip: 'ABCDE',
        usState: 'ZZ',
      })
      expect(address.json().errors).toEqual([
        { field: 'zip', message: 'must be a US ZIP code (12345 or 12345-6789)' },
        { field: 'usState', message: 'is not a US state or territory postal abbreviation' },
      ])
    })
  })

  describe('429', () => {
    it('limits codes per address to five an hour', async () => {
      const http = api(t.app, sandbox.client.clientKey)
      const email = uniqueEmail()
      for (let i = 0; i < 5; i++)
        expect((await http.post('/v1/auth/register/email/send', { email })).statusCode).toBe(200)
      const limited = await http.post('/v1/auth/register/email/send', { email })
      expect(limited.statusCode).toBe(429)
      expect(limited.json()).toEqual({
        message: 'Too many codes requested; try again later',
        errorCode: 'RATE_LIMITED',
        retryAfter: 3600,
      })
      expect(limited.headers['retry-after']).toBe('3600')
    })
  })
})
