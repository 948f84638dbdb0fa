import type { Counter } from 'prom-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PER_ACCOUNT, PER_ADDRESS } from '../../src/modules/auth/index.ts'
import { setLoginOtp } from '../../src/modules/operator/index.ts'
import { register, sandboxCodes } from '../helpers/accounts.ts'
import { buildTestApp, TEST_ACTOR, type TestApp } from '../helpers/app.ts'
import { DIALECTS } from '../helpers/dialects.ts'

const PASSWORD = 'correct horse battery'

describe.each(DIALECTS)('login lockout and OTP abuse (%s)', (dialect) => {
  let t: TestApp
  let clientKey: string
  let sequence = 0
  let nextAddress = 0

  beforeAll(async () => {
    t = await buildTestApp(dialect)
    clientKey = (await t.createClient({ name: 'lockout', mode: 'sandbox' })).client.clientKey
  })
  afterAll(() => t.close())

  const newUser = async () => {
    sequence += 1
    const number = `74009${String(20000 + sequence).slice(-5)}`
    const email = `lockout${sequence}@example.com`
    const registered = await register(t.app, clientKey, sandboxCodes, {
      email,
      password: PASSWORD,
      region: 'intl',
      country: 'GB',
      phone: { countryCode: '+44', number, e164: `+44${number}` },
    })
    return { email, userId: registered.user.id as string }
  }
  /** Each test speaks from addresses of its own, so the per-address throttle of one does not reach another. */
  const freshAddress = () => {
    nextAddress += 1
    return `198.51.${Math.floor(nextAddress / 250)}.${(nextAddress % 250) + 1}`
  }
  const login = (body: object, remoteAddress: string) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      headers: { 'x-client-key': clientKey },
      payload: body,
      remoteAddress,
    })
  /** Passwords actually checked so far (right, wrong, or an unknown account's decoy). */
  const passwordsChecked = async () => {
    const metric = t.runtime.metrics.getSingleMetric('verity_login_attempts_total') as Counter | undefined
    const values = (await metric?.get())?.values ?? []
    return values
      .filter((value) =>
        ['success', 'wrong_password', 'unknown_account'].includes(String(value.labels.outcome)),
      )
      .reduce((sum, value) => sum + value.value, 0)
  }

  it('40 parallel logins (39 wrong, then the right one) check at most 5 passwords', async () => {
    const user = await newUser()
    const address = freshAddress()
    const before = await passwordsChecked()
    const responses = await Promise.all([
      ...Array.from({ length: 39 }, (_, i) => login({ email: user.email, password: `wrong ${i}` }, address)),
      login({ email: user.email, password: PASSWORD }, address),
    ])
    expect((await passwordsChecked()) - before).toBeLessThanOrEqual(PER_ADDRESS.maxFailures)
    const codes = responses.map((response) => response.json().errorCode)
    // Every other one was refused before its password was looked at (locked, or the address throttled).
    expect(
      codes.filter((code) => code === 'ACCOUNT_LOCKED' || code === 'RATE_LIMITED').length,
    ).toBeGreaterThanOrEqual(40 - PER_ADDRESS.maxFailures)
    // Whichever order they were counted in, once the lock runs out the right password works.
    t.clock.advance(PER_ADDRESS.lockoutMs)
    expect((await login({ email: user.email, password: PASSWORD }, address)).json().accessToken).toMatch(
      /^INTL_/,
    )
  })

  it('a burst of 200 parallel wrong passwords checks at most 5', async () => {
    const user = await newUser()
    const address = freshAddress()
    const before = await passwordsChecked()
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) => login({ email: user.email, password: `guess ${i}` }, address)),
    )
    expect((await passwordsChecked()) - before).toBeLessThanOrEqual(PER_ADDRESS.maxFailures)
    const refusedUnchecked = responses.filter((response) =>
      ['ACCOUNT_LOCKED', 'RATE_LIMITED'].includes(response.json().errorCode),
    )
    expect(refusedUnchecked.length).toBeGreaterThanOrEqual(200 - PER_ADDRESS.maxFailures)
  })

  it('the per-address throttle holds under concurrency: at most 20 failures checked from one address', async () => {
    const address = freshAddress()
    const before = await passwordsChecked()
    const responses = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        login({ email: `spray${i}-${sequence}@example.com`, password: 'guess' }, address),
      ),
    )
    expect((await passwordsChecked()) - before).toBeLessThanOrEqual(20)
    expect(responses.filter((response) => response.statusCode === 429).length).toBeGreaterThanOrEqual(40)
  })

  it('a known and an unknown email answer alike, locked or not', async () => {
    const user = await newUser()
    const address = freshAddress()
    const unknown = `nobody-${sequence}@example.com`
    for (let i = 0; i < PER_ADDRESS.maxFailures + 1; i++) {
      const known = await login({ email: user.email, password: `wrong ${i}` }, address)
      const stranger = await login({ email: unknown, password: `wrong ${i}` }, address)
      expect([stranger.statusCode, stranger.json(), stranger.headers['retry-after']]).toEqual([
        known.statusCode,
        known.json(),
        known.headers['retry-after'],
      ])
      expect(known.json().errorCode).toBe(
        i < PER_ADDRESS.maxFailures - 1 ? 'INVALID_CREDENTIALS' : 'ACCOUNT_LOCKED',
      )
    }
  })

  it('failures from one address do not lock the owner out from another', async () => {
    const user = await newUser()
    const attacker = freshAddress()
    for (let i = 0; i < PER_ADDRESS.maxFailures + 3; i++)
      await login({ email: user.email, password: `wrong ${i}` }, attacker)
    expect((await login({ email: user.email, password: PASSWORD }, attacker)).json().errorCode).toBe(
      'ACCOUNT_LOCKED',
    )
    const owner = await login({ email: user.email, password: PASSWORD }, freshAddress())
    expect(owner.json().accessToken).toMatch(/^INTL_/)
  })

  it('guesses spread over many addresses meet the slower per-account limit', async () => {
    const user = await newUser()
    const addresses = Array.from(
      { length: Math.ceil(PER_ACCOUNT.maxFailures / (PER_ADDRESS.maxFailures - 1)) + 1 },
      freshAddress,
    )
    let guesses = 0
    // Stay one under each address's lock, so that only the per-account count can stop them.
    for (const address of addresses)
      for (let i = 0; i < PER_ADDRESS.maxFailures - 1; i++, guesses++)
        await login({ email: user.email, password: `wrong ${guesses}` }, address)
    expect(guesses).toBeGreaterThan(PER_ACCOUNT.maxFailures)
    const owner = await login({ email: user.email, password: PASSWORD }, freshAddress())
    expect(owner.json()).toMatchObject({ errorCode: 'ACCOUNT_LOCKED' })
    expect(Number(owner.headers['retry-after'])).toBeGreaterThan(PER_ADDRESS.lockoutMs / 1000)
    t.clock.advance(PER_ACCOUNT.lockoutMs)
    expect(
      (await login({ email: user.email, password: PASSWORD }, freshAddress())).json().accessToken,
    ).toMatch(/^INTL_/)
  })

  describe('/v1/auth/login/otp', () => {
    const loginCodes = (userId: string) =>
      t.runtime.databases.byRegion.intl.db
        .selectFrom('verification_code')
        .select('id')
        .where('purpose', '=', 'login_otp')
        .where('subject', '=', userId)
        .execute()
    const sendOtp = (userId: string) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/auth/login/otp',
        headers: { 'x-client-key': clientKey },
        payload: { userId },
      })

    it('sends nothing for a stranger who only knows the user id, and answers as for an unknown id', async () => {
      const user = await newUser()
      await setLoginOtp(t.runtime, user.userId, true, TEST_ACTOR)
      for (let i = 0; i < 8; i++) {
        const known = await sendOtp(user.userId)
        const unknown = await sendOtp('00000000-0000-4000-8000-000000000000')
        expect([known.statusCode, known.json()]).toEqual([200, { success: true }])
        expect([unknown.statusCode, unknown.json()]).toEqual([known.statusCode, known.json()])
      }
      expect(await loginCodes(user.userId)).toHaveLength(0)
    })

    it('texts a code once the password was given, and the code logs in', async () => {
      const user = await newUser()
      await setLoginOtp(t.runtime, user.userId, true, TEST_ACTOR)
      const address = freshAddress()
      expect((await login({ email: user.email, password: PASSWORD }, address)).json().isOtpRequired).toBe(
        true,
      )
      expect((await sendOtp(user.userId)).statusCode).toBe(200)
      expect(await loginCodes(user.userId)).toHaveLength(1)
      const done = await login({ email: user.email, password: PASSWORD, otpCode: '000000' }, address)
      expect(done.json().accessToken).toMatch(/^INTL_/)
      // The challenge is used up with the login.
      expect((await sendOtp(user.userId)).statusCode).toBe(200)
      expect(await loginCodes(user.userId)).toHaveLength(1)
    })
  })
})
