import { createHash, randomBytes } from 'node:crypto'
import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setLoginOtp } from '../../src/modules/operator/index.ts'
import { api, createSandboxAccount, register, sandboxCodes } from '../helpers/accounts.ts'
import { buildTestApp, TEST_ACTOR, type TestApp } from '../helpers/app.ts'
import { DIALECTS } from '../helpers/dialects.ts'

const PASSWORD = 'correct horse battery'
const APP_LINK = 'io.metamask.Metamask://card-oauth'
const WEB = 'https://link.metamask.io/card-oauth'
const FORM = 'application/x-www-form-urlencoded'

const pkce = () => {
  const verifier = randomBytes(48).toString('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}

const field = (page: string, name: string): string => {
  const value = new RegExp(`name="${name}" value="([^"]*)"`).exec(page)?.[1]
  if (value === undefined) throw new Error(`no ${name} in the page:\n${page}`)
  return value
}

/**
 * The hosted OAuth2 endpoints without a browser (the browser test drives the pages in Chromium): the
 * sign-in, OTP, onboarding and consent pages' answers, the redirect errors, and the token and revoke
 * endpoints with form and JSON bodies, public and confidential clients, other clients and regions.
 */
describe.each(DIALECTS)('hosted OAuth2 endpoints (%s)', (dialect) => {
  let t: TestApp
  let metamask: Awaited<ReturnType<TestApp['createClient']>>
  let confidential: Awaited<ReturnType<TestApp['createClient']>>
  let sequence = 0

  beforeAll(async () => {
    t = await buildTestApp(dialect)
    metamask = await t.createClient({
      name: 'MetaMask Card',
      regions: ['intl', 'us'],
      redirectUris: [APP_LINK, WEB],
      publicOAuth: true,
    })
    confidential = await t.createClient({ name: 'Back office', redirectUris: [WEB] })
  })
  afterAll(async () => {
    await t.close()
  })

  const newUser = async (clientKey = metamask.client.clientKey, region: 'intl' | 'us' = 'intl') => {
    sequence += 1
    const email = `hosted${sequence}@example.com`
    const number = `74009${String(30000 + sequence).slice(-5)}`
    const registered = await register(t.app, clientKey, sandboxCodes, {
      email,
      password: PASSWORD,
      region,
      country: region === 'us' ? 'US' : 'GB',
      phone:
        region === 'us'
          ? { countryCode: '+1', number: '2015550144', e164: '+12015550144' }
          : { countryCode: '+44', number, e164: `+44${number}` },
      ...(region === 'us' ? { ssn: '123-45-6789', usState: 'NY' } : {}),
    })
    return { email, userId: registered.user.id as string }
  }

  type Request = { clientKey?: string; redirectUri?: string; scope?: string; state?: string; region?: 'us' }

  const authorizeQuery = (p: ReturnType<typeof pkce>, request: Request = {}, drop: string[] = []) => {
    const params = new URLSearchParams({
      client_id: request.clientKey ?? metamask.client.clientKey,
      response_type: 'code',
      redirect_uri: request.redirectUri ?? APP_LINK,
      code_challenge: p.challenge,
      code_challenge_method: 'S256',
      scope: request.scope ?? 'openid profile email platform:full offline_access',
      prompt: 'consent',
      ...(request.state ? { state: request.state } : {}),
      ...(request.region ? { region: request.region } : {}),
    })
    for (const name of drop) params.delete(name)
    return `/v1/auth/oauth2/authorize?${params}`
  }

  /** The browser's cookie jar, reduced to the one cookie these pages set. */
  const cookieOf = (response: LightMyRequestResponse) => {
    const set = response.headers['set-cookie']
    const first = (Array.isArray(set) ? set[0] : set) ?? ''
    return first.split(';')[0] as string
  }

  const post = (url: string, cookie: string, form: Record<string, string>) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': FORM, cookie },
      payload: new URLSearchParams(form).toString(),
    })

  const openSignIn = async (p: ReturnType<typeof pkce>, request: Request = {}) => {
    const page = await t.app.inject({ method: 'GET', url: authorizeQuery(p, request) })
    expect(page.statusCode, page.body).toBe(200)
    expect(page.headers['content-security-policy']).toContain("form-action 'self'")
    return { cookie: cookieOf(page), session: field(page.body, 'session'), csrf: field(page.body, 'csrf') }
  }

  const signIn = async (p: ReturnType<typeof pkce>, email: string, request: Request = {}) => {
    const form = await openSignIn(p, request)
    const consent = await post('/v1/auth/oauth2/authorize/sign-in', form.cookie, {
      session: form.session,
      csrf: form.csrf,
      email,
      password: PASSWORD,
    })
    expect(consent.statusCode, consent.body).toBe(200)
    return { ...form, consent }
  }

  /** Sign-in and Allow: answers the callback URL. */
  const authorize = async (email: string, request: Request = {}, p = pkce()) => {
    const { cookie, csrf, consent } = await signIn(p, email, request)
    const answer = await post('/v1/auth/oauth2/authorize/consent', cookie, {
      ticket: field(consent.body, 'ticket'),
      csrf,
      decision: 'allow',
    })
    expect(answer.statusCode, answer.body).toBe(303)
    const location = answer.headers.location as string
    return { location, code: new URL(location).searchParams.get('code') as string, verifier: p.verifier }
  }

  const token = (payload: Record<string, string>, headers: Record<string, string> = {}, form = true) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/auth/oauth2/token',
      headers: { 'content-type': form ? FORM : 'application/json', ...headers },
      payload: form ? new URLSearchParams(payload).toString() : payload,
    })

  const oauthError = (response: LightMyRequestResponse, status: number, error: string) => {
    expect(response.statusCode, response.body).toBe(status)
    expect(response.json()).toEqual({ error, error_description: expect.any(String) })
    return response.json().error_description as string
  }

  const me = (accessToken: string, clientKey = metamask.client.clientKey, region: 'intl' | 'us' = 'intl') =>
    api(t.app, clientKey, region).get('/v1/user', { authorization: `Bearer ${accessToken}` })

  it('signs in, names the client and the scopes, and comes back to the app link with code, state and app_id', async () => {
    const { email } = await newUser()
    const p = pkce()
    const { consent } = await signIn(p, email, { state: 'xyz' })
    expect(consent.body).toContain('Allow MetaMask Card to use your account?')
    expect(consent.body).toContain('Use your account on your behalf')
    expect(consent.headers['content-security-policy']).toContain("form-action 'self' io.metamask.metamask:")
    const { location, code, verifier } = await authorize(email, { state: 'xyz' }, p)
    expect(location.startsWith(`${APP_LINK}?`)).toBe(true)
    expect(Object.fromEntries(new URL(location).searchParams)).toEqual({
      code,
      state: 'xyz',
      app_id: 'VERITY',
    })

    // MetaMask: a form body with client_id and redirect_uri, no secret.
    const tokens = await token({
      grant_type: 'authorization_code',
      code,
      code_verifier: verifier,
      redirect_uri: APP_LINK,
      client_id: metamask.client.clientKey,
    })
    expect(tokens.statusCode, tokens.body).toBe(200)
    expect(tokens.headers['cache-control']).toBe('no-store')
    const set = tokens.json()
    expect(set).toMatchObject({ token_type: 'Bearer', expires_in: 21600, refresh_token_expires_in: 15897600 })
    expect((await me(set.access_token)).statusCode).toBe(200)

    // Refresh: JSON with x-client-key only.
    const renewed = await token(
      { grant_type: 'refresh_token', refresh_token: set.refresh_token },
      { 'x-client-key': metamask.client.clientKey },
      false,
    )
    expect(renewed.statusCode, renewed.body).toBe(200)
    const login = await api(t.app, metamask.client.clientKey).post('/v1/auth/login', {
      email,
      password: PASSWORD,
    })
    expect(login.json().isLinked).toBe(true)
  })

  it('gives no refresh token without offline_access', async () => {
    const { email } = await newUser()
    const { code, verifier } = await authorize(email, { scope: 'openid profile email' })
    const tokens = await token(
      { grant_type: 'authorization_code', code, code_verifier: verifier },
      { 'x-client-key': metamask.client.clientKey },
      false,
    )
    expect(tokens.statusCode, tokens.body).toBe(200)
    expect(tokens.json().refresh_token).toBeUndefined()
    expect(tokens.json().refresh_token_expires_in).toBeUndefined()
  })

  it('revokes a refresh token with its access tokens, and an access token alone (RFC 7009)', async () => {
    const { email } = await newUser()
    const first = await authorize(email)
    const set = (
      await token(
        { grant_type: 'authorization_code', code: first.code, code_verifier: first.verifier },
        {
          'x-client-key': metamask.client.clientKey,
        },
      )
    ).json()
    const revoke = (payload: object) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/auth/oauth2/revoke',
        headers: { 'content-type': 'application/json', 'x-client-key': metamask.client.clientKey },
        payload,
      })
    expect((await revoke({ token: set.refresh_token, token_hint: 'refresh_token' })).json()).toEqual({
      success: true,
    })
    expect((await me(set.access_token)).statusCode).toBe(401)
    oauthError(
      await token({
        grant_type: 'refresh_token',
        refresh_token: set.refresh_token,
        client_id: metamask.client.clientKey,
      }),
      400,
      'invalid_grant',
    )

    const second = await authorize(email)
    const other = (
      await token(
        { grant_type: 'authorization_code', code: second.code, code_verifier: second.verifier },
        {
          'x-client-key': metamask.client.clientKey,
        },
      )
    ).json()
    expect((await revoke({ token: other.access_token, token_hint: 'access_token' })).statusCode).toBe(200)
    expect((await me(other.access_token)).statusCode).toBe(401)
    expect(
      (
        await token(
          { grant_type: 'refresh_token', refresh_token: other.refresh_token },
          {
            'x-client-key': metamask.client.clientKey,
          },
        )
      ).statusCode,
    ).toBe(200)
    expect((await revoke({ token: 'INTL_not-a-token', token_hint: 'access_token' })).statusCode).toBe(200)
  })

  describe('the sign-in page', () => {
    it('refuses a wrong password on the page, with the login message and status', async () => {
      const { email } = await newUser()
      const form = await openSignIn(pkce())
      const page = await post('/v1/auth/oauth2/authorize/sign-in', form.cookie, {
        session: form.session,
        csrf: form.csrf,
        email,
        password: 'not the password',
      })
      expect(page.statusCode).toBe(401)
      expect(page.body).toContain('Invalid email or password')
      expect(page.body).toContain(`value="${email}"`)
    })

    it('asks for the OTP when the account has one, then signs in with it', async () => {
      const { email, userId } = await newUser()
      await setLoginOtp(t.runtime, userId, true, TEST_ACTOR)
      const form = await openSignIn(pkce())
      const otp = await post('/v1/auth/oauth2/authorize/sign-in', form.cookie, {
        session: form.session,
        csrf: form.csrf,
        email,
        password: PASSWORD,
      })
      expect(otp.statusCode).toBe(200)
      expect(otp.body).toContain('Enter the code we texted you')
      expect(otp.body).not.toContain(PASSWORD)
      const pending = field(otp.body, 'pending')
      const wrong = await post('/v1/auth/oauth2/authorize/sign-in', form.cookie, {
        session: form.session,
        csrf: form.csrf,
        pending,
        otpCode: '12345',
      })
      expect(wrong.statusCode).toBe(400)
      const consent = await post('/v1/auth/oauth2/authorize/sign-in', form.cookie, {
        session: form.session,
        csrf: form.csrf,
        pending,
        otpCode: '000000',
      })
      expect(consent.statusCode, consent.body).toBe(200)
      expect(consent.body).toContain('Allow MetaMask Card')
    })

    it('tells a user whose registration is unfinished to finish it in the app', async () => {
      const email = `unfinished${++sequence}@example.com`
      await createSandboxAccount(api(t.app, metamask.client.clientKey), email, 'GB', PASSWORD)
      const form = await openSignIn(pkce())
      const page = await post('/v1/auth/oauth2/authorize/sign-in', form.cookie, {
        session: form.session,
        csrf: form.csrf,
        email,
        password: PASSWORD,
      })
      expect(page.statusCode).toBe(200)
      expect(page.body).toContain('Finish signing up first')
    })

    it('refuses a form without its CSRF cookie, and an expired sign-in', async () => {
      const form = await openSignIn(pkce())
      const forged = await post('/v1/auth/oauth2/authorize/sign-in', 'verity_oauth_csrf=another', {
        session: form.session,
        csrf: form.csrf,
        email: 'a@example.com',
        password: PASSWORD,
      })
      expect(forged.statusCode).toBe(403)
      t.clock.advance(10 * 60 * 1000 + 1000)
      const expired = await post('/v1/auth/oauth2/authorize/sign-in', form.cookie, {
        session: form.session,
        csrf: form.csrf,
        email: 'a@example.com',
        password: PASSWORD,
      })
      expect(expired.statusCode).toBe(400)
      expect(expired.body).toContain('This sign-in has expired')
    })

    it('sends a denial back as access_denied with the state', async () => {
      const { email } = await newUser()
      const { cookie, csrf, consent } = await signIn(pkce(), email, { state: 's1', redirectUri: WEB })
      const answer = await post('/v1/auth/oauth2/authorize/consent', cookie, {
        ticket: field(consent.body, 'ticket'),
        csrf,
        decision: 'deny',
      })
      expect(answer.statusCode).toBe(303)
      const back = new URL(answer.headers.location as string)
      expect(`${back.origin}${back.pathname}`).toBe(WEB)
      expect(back.searchParams.get('error')).toBe('access_denied')
      expect(back.searchParams.get('state')).toBe('s1')
    })
  })

  describe('bad authorization requests', () => {
    it('shows a page, never a redirect, for an unknown client or an unregistered redirect URI', async () => {
      const unknown = await t.app.inject(
        authorizeQuery(pkce(), { clientKey: '00000000-0000-4000-8000-000000000000' }),
      )
      expect(unknown.statusCode).toBe(400)
      expect(unknown.headers['content-type']).toContain('text/html')
      const elsewhere = await t.app.inject(authorizeQuery(pkce(), { redirectUri: 'https://evil.example/cb' }))
      expect(elsewhere.statusCode).toBe(400)
      expect(elsewhere.headers.location).toBeUndefined()
    })

    it('sends a malformed x-us-env (repeated: "true, false") back as invalid_request, never a 500', async () => {
      const answer = await t.app.inject({
        method: 'GET',
        url: authorizeQuery(pkce()),
        headers: { 'x-us-env': ['true', 'false'] },
      })
      expect(answer.statusCode).toBe(303)
      expect(new URL(answer.headers.location as string).searchParams.get('error')).toBe('invalid_request')
    })

    it.each([
      [['code_challenge'], {}, 'invalid_request', 'Missing required parameter: code_challenge'],
      [[], { code_challenge_method: 'plain' }, 'invalid_request', 'code_challenge_method must be S256'],
      [[], { response_type: 'token' }, 'unsupported_response_type', 'response_type must be code'],
      [[], { scope: 'openid admin' }, 'invalid_scope', 'Unknown scope: admin'],
    ])('redirects other problems back with the error (%s %o)', async (drop, change, error, description) => {
      const url = new URL(authorizeQuery(pkce(), { state: 'st' }, drop), 'http://localhost')
      for (const [name, value] of Object.entries(change)) url.searchParams.set(name, value)
      const answer = await t.app.inject(`${url.pathname}${url.search}`)
      expect(answer.statusCode).toBe(303)
      const back = new URL(answer.headers.location as string)
      expect(Object.fromEntries(back.searchParams)).toEqual({
        error,
        error_description: description,
        state: 'st',
      })
    })
  })

  describe('bad token requests: the RFC 6749 error, never a 500', () => {
    it('refuses a form body sent as JSON, and JSON sent as a form', async () => {
      const formAsJson = await t.app.inject({
        method: 'POST',
        url: '/v1/auth/oauth2/token',
        headers: { 'content-type': 'application/json', 'x-client-key': metamask.client.clientKey },
        payload: 'grant_type=authorization_code&code=x',
      })
      oauthError(formAsJson, 400, 'invalid_request')
      const jsonAsForm = await t.app.inject({
        method: 'POST',
        url: '/v1/auth/oauth2/token',
        headers: { 'content-type': FORM, 'x-client-key': metamask.client.clientKey },
        payload: JSON.stringify({ grant_type: 'authorization_code', code: 'x' }),
      })
      expect(oauthError(jsonAsForm, 400, 'invalid_request')).toBe('Missing required parameter: grant_type')
    })

    it('refuses an unknown client, two different clients, no client at all and a wrong grant type', async () => {
      oauthError(
        await token({ grant_type: 'refresh_token', refresh_token: 'x', client_id: 'nobody' }),
        401,
        'invalid_client',
      )
      oauthError(
        await token(
          { grant_type: 'refresh_token', refresh_token: 'x', client_id: metamask.client.clientKey },
          { 'x-client-key': confidential.client.clientKey },
        ),
        401,
        'invalid_client',
      )
      oauthError(await token({ grant_type: 'refresh_token', refresh_token: 'x' }), 401, 'invalid_client')
      oauthError(
        await token({ grant_type: 'client_credentials', client_id: metamask.client.clientKey }),
        400,
        'unsupported_grant_type',
      )
    })

    it("refuses a wrong verifier, a redirect URI other than the authorized one, another client's code and a reused code", async () => {
      const { email } = await newUser()
      const { code, verifier } = await authorize(email)
      const asMetaMask = { 'x-client-key': metamask.client.clientKey }
      oauthError(
        await token({ grant_type: 'authorization_code', code, code_verifier: pkce().verifier }, asMetaMask),
        400,
        'invalid_grant',
      )
      oauthError(
        await token(
          { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: WEB },
          asMetaMask,
        ),
        400,
        'invalid_grant',
      )
      oauthError(
        await token(
          { grant_type: 'authorization_code', code, code_verifier: verifier },
          {
            authorization: `Basic ${Buffer.from(`${confidential.client.clientKey}:${confidential.secretKey}`).toString('base64')}`,
          },
        ),
        400,
        'invalid_grant',
      )
      expect(
        (await token({ grant_type: 'authorization_code', code, code_verifier: verifier }, asMetaMask))
          .statusCode,
      ).toBe(200)
      oauthError(
        await token({ grant_type: 'authorization_code', code, code_verifier: verifier }, asMetaMask),
        400,
        'invalid_grant',
      )
    })

    it('authenticates a confidential client by its secret (HTTP Basic or client_secret), never by its key', async () => {
      const { email } = await newUser(confidential.client.clientKey)
      const { code, verifier } = await authorize(email, {
        clientKey: confidential.client.clientKey,
        redirectUri: WEB,
      })
      const grant = {
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
        client_id: confidential.client.clientKey,
      }
      const withoutSecret = await token(grant)
      oauthError(withoutSecret, 401, 'invalid_client')
      expect(withoutSecret.headers['www-authenticate']).toBeUndefined()
      oauthError(
        await token({ ...grant, client_secret: confidential.client.clientKey }),
        401,
        'invalid_client',
      )
      const wrongBasic = await token(
        { grant_type: 'authorization_code', code, code_verifier: verifier },
        {
          authorization: `Basic ${Buffer.from(`${confidential.client.clientKey}:wrong`).toString('base64')}`,
        },
      )
      oauthError(wrongBasic, 401, 'invalid_client')
      expect(wrongBasic.headers['www-authenticate']).toBe('Basic realm="verity"')
      const tokens = await token({ ...grant, client_secret: confidential.secretKey })
      expect(tokens.statusCode, tokens.body).toBe(200)
    })
  })

  it('answers unauthorized_client (400) to a client not enabled for the credential’s region', async () => {
    const intlOnly = await t.createClient({
      name: 'intl only',
      regions: ['intl'],
      redirectUris: [WEB],
      publicOAuth: true,
    })
    const asIntlOnly = { 'x-client-key': intlOnly.client.clientKey }
    oauthError(
      await token({ grant_type: 'refresh_token', refresh_token: 'US_rt_unknown' }, asIntlOnly),
      400,
      'unauthorized_client',
    )
    const revoke = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/oauth2/revoke',
      headers: { 'content-type': FORM, ...asIntlOnly },
      payload: new URLSearchParams({ token: 'US_rt_unknown' }).toString(),
    })
    oauthError(revoke, 400, 'unauthorized_client')
  })

  it('keeps a us grant in us: the code and tokens name it, and the other region refuses the token', async () => {
    const { email } = await newUser(metamask.client.clientKey, 'us')
    const { code, verifier, location } = await authorize(email, { region: 'us' })
    expect(code).toMatch(/^US_ac_/)
    expect(new URL(location).searchParams.get('app_id')).toBe('VERITY_US')
    const tokens = (
      await token(
        { grant_type: 'authorization_code', code, code_verifier: verifier },
        {
          'x-client-key': metamask.client.clientKey,
        },
      )
    ).json()
    expect(tokens.access_token).toMatch(/^US_/)
    expect((await me(tokens.access_token, metamask.client.clientKey, 'us')).statusCode).toBe(200)
    expect((await me(tokens.access_token, metamask.client.clientKey, 'intl')).statusCode).toBe(401)
  })
})
