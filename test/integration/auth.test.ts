import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ACCESS_TOKEN_TTL_MS, PER_ADDRESS } from '../../src/modules/auth/index.ts'
import { readOutbox } from '../../src/modules/messaging/index.ts'
import { setLoginOtp, setUserSuspended } from '../../src/modules/operator/index.ts'
import { api, createSandboxAccount, register, sandboxCodes } from '../helpers/accounts.ts'
import { buildTestApp, TEST_ACTOR, type TestApp } from '../helpers/app.ts'
import { eventually } from '../helpers/databases.ts'
import { DIALECTS } from '../helpers/dialects.ts'
import { startSmsReceiver } from '../helpers/receivers.ts'

const SMS_TOKEN = 'gateway-token'
const PASSWORD = 'correct horse battery'

describe.each(DIALECTS)('login, tokens and GET /v1/user (%s)', (dialect) => {
  let t: TestApp
  let sms: Awaited<ReturnType<typeof startSmsReceiver>>
  let sandbox: Awaited<ReturnType<TestApp['createClient']>>
  let live: Awaited<ReturnType<TestApp['createClient']>>
  let other: Awaited<ReturnType<TestApp['createClient']>>
  let sequence = 0

  beforeAll(async () => {
    sms = await startSmsReceiver(SMS_TOKEN)
    t = await buildTestApp(dialect, {
      worker: true,
      env: { SMS_WEBHOOK_URL: sms.url, SMS_WEBHOOK_TOKEN: SMS_TOKEN },
    })
    sandbox = await t.createClient({ name: 'sandbox', mode: 'sandbox', regions: ['intl', 'us'] })
    live = await t.createClient({ name: 'live', mode: 'live', regions: ['intl'] })
    other = await t.createClient({ name: 'other', mode: 'sandbox', regions: ['intl', 'us'] })
  })
  afterAll(async () => {
    await t.close()
    await sms.close()
  })

  // Without SMTP_URL, mail lands in the outbox table: a live client's real codes are read from there.
  const outboxCode = (to: string) =>
    eventually(async () => {
      const rows = await readOutbox(t.runtime.databases.byRegion.intl.db, 50)
      const code = /verification code is (\d{6})/.exec(
        rows.find((row) => row.recipient === to)?.body ?? '',
      )?.[1]
      if (!code) throw new Error(`no code for ${to}`)
      return code
    })

  const newUser = async (clientKey = sandbox.client.clientKey, region: 'intl' | 'us' = 'intl') => {
    sequence += 1
    const email = `login${sequence}@example.com`
    const number = `74009${String(10000 + sequence).slice(-5)}`
    const phone =
      region === 'us'
        ? { countryCode: '+1', number: '2015550142', e164: '+12015550142' }
        : { countryCode: '+44', number, e164: `+44${number}` }
    const codes = clientKey === live.client.clientKey ? { email: outboxCode, sms: sms.codeFor } : sandboxCodes
    const registered = await register(t.app, clientKey, codes, {
      email,
      password: PASSWORD,
      region,
      country: region === 'us' ? 'US' : 'GB',
      phone,
      ...(region === 'us' ? { ssn: '123-45-6789', usState: 'NY' } : {}),
    })
    return { email, phone, ...registered, userId: registered.user.id as string }
  }

  const login = (body: object, clientKey = sandbox.client.clientKey, extra: Record<string, string> = {}) =>
    api(t.app, clientKey).post('/v1/auth/login', body, extra)
  const me = (token: string, clientKey = sandbox.client.clientKey, region: 'intl' | 'us' = 'intl') =>
    api(t.app, clientKey, region).get('/v1/user', { authorization: `Bearer ${token}` })

  describe('200', () => {
    it('logs in with exactly the documented fields, and every new token works at once', async () => {
      const user = await newUser()
      const first = await login({ email: user.email.toUpperCase(), password: PASSWORD })
      expect(first.statusCode).toBe(200)
      expect(first.json()).toEqual({
        accessToken: expect.stringMatching(/^INTL_/),
        userId: user.userId,
        isOtpRequired: false,
        phoneNumber: null,
        phase: null,
        verificationState: 'UNVERIFIED',
        isLinked: false,
      })
      const second = (await login({ email: user.email, password: PASSWORD })).json()
      expect((await me(first.json().accessToken)).statusCode).toBe(200)
      expect((await me(second.accessToken)).json().id).toBe(user.userId)
    })

    it('answers 200 with the phase and no token while onboarding is unfinished', async () => {
      const http = api(t.app, sandbox.client.clientKey)
      const email = `unfinished${++sequence}@example.com`
      const { user } = await createSandboxAccount(http, email, 'GB', PASSWORD)
      expect((await login({ email, password: PASSWORD })).json()).toEqual({
        accessToken: null,
        userId: user.id,
        isOtpRequired: false,
        phoneNumber: null,
        phase: 'PHONE_NUMBER',
        verificationState: 'UNVERIFIED',
        isLinked: false,
      })
    })

    it('asks for an OTP, texts it on /login/otp, and accepts it on the retry (live client, real SMS gateway)', async () => {
      const user = await newUser(live.client.clientKey)
      await setLoginOtp(t.runtime, user.userId, true, TEST_ACTOR)
      const first = await login({ email: user.email, password: PASSWORD }, live.client.clientKey)
      expect(first.json()).toEqual({
        accessToken: null,
        userId: user.userId,
        isOtpRequired: true,
        phoneNumber: `+44${user.phone.number[0]}${'*'.repeat(user.phone.number.length - 4)}${user.phone.number.slice(-3)}`,
        phase: null,
        verificationState: 'UNVERIFIED',
        isLinked: false,
      })
      const textsBefore = sms.countTo(user.phone.e164)
      const sent = await api(t.app, live.client.clientKey).post('/v1/auth/login/otp', { userId: user.userId })
      expect(sent.json()).toEqual({ success: true })
      const code = await sms.codeFor(user.phone.e164, textsBefore)
      const wrong = await login(
        { email: user.email, password: PASSWORD, otpCode: code === '000000' ? '111111' : '000000' },
        live.client.clientKey,
      )
      expect(wrong.statusCode).toBe(400)
      expect(wrong.json().errorCode).toBe('INVALID_CODE')
      const done = await login(
        { email: user.email, password: PASSWORD, otpCode: code },
        live.client.clientKey,
      )
      expect(done.json()).toMatchObject({
        accessToken: expect.stringMatching(/^INTL_/),
        isOtpRequired: false,
      })
    })

    it('sandbox clients accept 000000 as the login OTP', async () => {
      const user = await newUser()
      await setLoginOtp(t.runtime, user.userId, true, TEST_ACTOR)
      expect((await login({ email: user.email, password: PASSWORD })).json().isOtpRequired).toBe(true)
      await api(t.app, sandbox.client.clientKey).post('/v1/auth/login/otp', { userId: user.userId })
      const done = await login({ email: user.email, password: PASSWORD, otpCode: '000000' })
      expect(done.json().accessToken).toMatch(/^INTL_/)
    })

    it('/login/otp answers the same for unknown users, revealing nothing', async () => {
      const unknown = await api(t.app, sandbox.client.clientKey).post('/v1/auth/login/otp', {
        userId: '00000000-0000-4000-8000-000000000000',
      })
      expect([unknown.statusCode, unknown.json()]).toEqual([200, { success: true }])
    })

    it('logout kills the token at once, with an empty JSON body or {}', async () => {
      const user = await newUser()
      const tokens = [
        user.accessToken,
        (await login({ email: user.email, password: PASSWORD })).json().accessToken,
      ]
      const [viaEmpty, viaObject] = [
        await t.app.inject({
          method: 'POST',
          url: '/v1/auth/logout',
          headers: {
            'x-client-key': sandbox.client.clientKey,
            'content-type': 'application/json',
            authorization: `Bearer ${tokens[0]}`,
          },
        }),
        await api(t.app, sandbox.client.clientKey).post(
          '/v1/auth/logout',
          {},
          { authorization: `Bearer ${tokens[1]}` },
        ),
      ]
      expect([viaEmpty.statusCode, viaEmpty.json()]).toEqual([200, { success: true }])
      expect([viaObject.statusCode, viaObject.json()]).toEqual([200, { success: true }])
      for (const [index, token] of tokens.entries()) {
        const after = await me(token)
        expect([after.statusCode, after.json()], `token ${index + 1} of ${tokens.length}`).toEqual([
          401,
          { message: 'Not authenticated', errorCode: 'NOT_AUTHENTICATED' },
        ])
      }
    })
  })

  describe('401', () => {
    it('says the same for an unknown email and a wrong password', async () => {
      const user = await newUser()
      const wrong = await login({ email: user.email, password: 'not the password' })
      const unknown = await login({ email: 'nobody@example.com', password: PASSWORD })
      expect([wrong.statusCode, wrong.json()]).toEqual([
        401,
        { message: 'Invalid email or password', errorCode: 'INVALID_CREDENTIALS' },
      ])
      expect([unknown.statusCode, unknown.json()]).toEqual([wrong.statusCode, wrong.json()])
    })

    it('locks the account for 15 minutes after 5 wrong passwords, saying so', async () => {
      const user = await newUser()
      for (let i = 0; i < 4; i++)
        expect((await login({ email: user.email, password: `wrong ${i}` })).json().errorCode).toBe(
          'INVALID_CREDENTIALS',
        )
      const locked = await login({ email: user.email, password: 'wrong again' })
      expect(locked.statusCode).toBe(401)
      expect(locked.json()).toMatchObject({
        errorCode: 'ACCOUNT_LOCKED',
        retryAfter: PER_ADDRESS.lockoutMs / 1000,
      })
      expect(locked.json().message).toMatch(/temporarily locked after too many failed attempts/)
      expect(locked.headers['retry-after']).toBe(String(PER_ADDRESS.lockoutMs / 1000))
      // Even the right password waits for the lock to run out.
      expect((await login({ email: user.email, password: PASSWORD })).json().errorCode).toBe('ACCOUNT_LOCKED')
      t.clock.advance(PER_ADDRESS.lockoutMs)
      expect((await login({ email: user.email, password: PASSWORD })).json().accessToken).toMatch(/^INTL_/)
    })

    it('refuses missing, malformed, expired and other-region tokens', async () => {
      const user = await newUser()
      const usUser = await newUser(sandbox.client.clientKey, 'us')
      const http = api(t.app, sandbox.client.clientKey)
      const attempts: Record<string, string>[] = [
        {},
        { authorization: 'Token abc' },
        { authorization: 'Bearer INTL_forged' },
      ]
      for (const headers of attempts) {
        const response = await http.get('/v1/user', headers)
        expect([response.statusCode, response.json()], JSON.stringify(headers)).toEqual([
          401,
          { message: 'Not authenticated', errorCode: 'NOT_AUTHENTICATED' },
        ])
      }
      // A us token presented to intl, and an intl token presented to us.
      expect((await me(usUser.accessToken, sandbox.client.clientKey, 'intl')).statusCode).toBe(401)
      expect((await me(user.accessToken, sandbox.client.clientKey, 'us')).statusCode).toBe(401)
      expect((await me(usUser.accessToken, sandbox.client.clientKey, 'us')).statusCode).toBe(200)

      t.clock.advance(ACCESS_TOKEN_TTL_MS)
      expect((await me(user.accessToken)).statusCode).toBe(401)
    })
  })

  describe('403', () => {
    it("a token used with another client's key", async () => {
      const user = await newUser()
      const response = await me(user.accessToken, other.client.clientKey)
      expect([response.statusCode, response.json()]).toEqual([
        403,
        { message: 'Not authorized', errorCode: 'NOT_AUTHORIZED' },
      ])
    })

    it('a suspended user cannot log in or use a token, until unsuspended', async () => {
      const user = await newUser()
      await setUserSuspended(t.runtime, user.userId, true, TEST_ACTOR)
      const refused = await login({ email: user.email, password: PASSWORD })
      expect(refused.statusCode).toBe(403)
      expect(refused.json().message).toContain('Your account has been disabled')
      expect((await me(user.accessToken)).json()).toEqual({
        message: 'Not authorized',
        errorCode: 'NOT_AUTHORIZED',
      })
      await setUserSuspended(t.runtime, user.userId, false, TEST_ACTOR)
      expect((await me(user.accessToken)).statusCode).toBe(200)
    })
  })

  describe('429', () => {
    it('throttles an address that keeps failing, across accounts', async () => {
      const address = { 'x-forwarded-for': '198.51.100.7' }
      const throttled = await buildTestApp('sqlite', { env: { TRUST_PROXY: '1' } })
      try {
        const client = await throttled.createClient({ name: 'spray target' })
        const spray = (n: number) =>
          api(throttled.app, client.client.clientKey).post(
            '/v1/auth/login',
            { email: `victim${n}@example.com`, password: 'guess' },
            address,
          )
        for (let i = 0; i < 20; i++) expect((await spray(i)).statusCode).toBe(401)
        const limited = await spray(20)
        expect(limited.statusCode).toBe(429)
        expect(limited.json()).toMatchObject({ errorCode: 'RATE_LIMITED', retryAfter: 900 })
        // Another address is unaffected.
        const elsewhere = await api(throttled.app, client.client.clientKey).post(
          '/v1/auth/login',
          { email: 'x@example.com', password: 'guess' },
          { 'x-forwarded-for': '203.0.113.9' },
        )
        expect(elsewhere.statusCode).toBe(401)
      } finally {
        await throttled.close()
      }
    })
  })
})
