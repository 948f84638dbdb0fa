import { createHash, randomBytes } from 'node:crypto'
import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JobContext } from '../../src/jobs/definitions.ts'
import { DAY_MS } from '../../src/lib/clock.ts'
import { createLogger } from '../../src/lib/logger.ts'
import { pruneOAuthJob } from '../../src/modules/oauth/index.ts'
import { setUserSuspended } from '../../src/modules/operator/index.ts'
import { register, sandboxCodes } from '../helpers/accounts.ts'
import { buildTestApp, TEST_ACTOR, type TestApp } from '../helpers/app.ts'
import { DIALECTS } from '../helpers/dialects.ts'

const PASSWORD = 'correct horse battery'
const REDIRECT = 'https://example.com'
const UNRESERVED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~'

/** PKCE as MetaMask's pkceHelpers make it: a 64-character verifier, a 32-character state. */
const pkce = () => {
  const pick = (length: number) =>
    [...randomBytes(length)].map((byte) => UNRESERVED[byte % UNRESERVED.length]).join('')
  const verifier = pick(64)
  return {
    verifier,
    state: pick(32),
    challenge: createHash('sha256').update(verifier).digest('base64url'),
  }
}

describe.each(DIALECTS)('legacy OAuth API mode (%s)', (dialect) => {
  let t: TestApp
  let metamask: Awaited<ReturnType<TestApp['createClient']>>
  let confidential: Awaited<ReturnType<TestApp['createClient']>>
  let sequence = 0

  beforeAll(async () => {
    t = await buildTestApp(dialect)
    metamask = await t.createClient({
      name: 'card app',
      regions: ['intl', 'us'],
      redirectUris: [REDIRECT],
      publicOAuth: true,
    })
    confidential = await t.createClient({ name: 'server app', redirectUris: [REDIRECT] })
  })
  afterAll(async () => {
    await t.close()
  })

  const newUser = async (clientKey = metamask.client.clientKey, region: 'intl' | 'us' = 'intl') => {
    sequence += 1
    const email = `oauth${sequence}@example.com`
    const number = `74009${String(20000 + sequence).slice(-5)}`
    await register(t.app, clientKey, sandboxCodes, {
      email,
      password: PASSWORD,
      region,
      country: region === 'us' ? 'US' : 'GB',
      phone:
        region === 'us'
          ? { countryCode: '+1', number: '2015550143', e164: '+12015550143' }
          : { countryCode: '+44', number, e164: `+44${number}` },
      ...(region === 'us' ? { ssn: '123-45-6789', usState: 'NY' } : {}),
    })
    return email
  }

  /** What CardSDK puts on every request: JSON content type even on GET, the key, x-us-env as text. */
  const cardSdk = (clientKey: string, region: 'intl' | 'us' = 'intl', bearer?: string) => {
    const headers = {
      'content-type': 'application/json',
      'x-client-key': clientKey,
      'x-us-env': region === 'us' ? 'true' : 'false',
      ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
    }
    return {
      get: (url: string) => t.app.inject({ method: 'GET', url, headers }),
      post: (url: string, payload: object, extra: Record<string, string> = {}) =>
        t.app.inject({ method: 'POST', url, headers: { ...headers, ...extra }, payload }),
      delete: (url: string) => t.app.inject({ method: 'DELETE', url, headers }),
    }
  }

  /** The initiate query in CardSDK's exact order. */
  const initiateUrl = (clientKey: string, p: ReturnType<typeof pkce>, redirect = REDIRECT) =>
    `/v1/auth/oauth/authorize/initiate?${new URLSearchParams([
      ['client_id', clientKey],
      ['redirect_uri', redirect],
      ['state', p.state],
      ['code_challenge', p.challenge],
      ['code_challenge_method', 'S256'],
      ['mode', 'api'],
      ['client_secret', clientKey],
      ['response_type', 'code'],
    ])}`

  const json = (response: LightMyRequestResponse, status = 200) => {
    expect(response.statusCode, response.body).toBe(status)
    return response.json()
  }

  /** Steps 1–3: initiate, login, authorize; answers the code and the login's answer. */
  const authorize = async (
    email: string,
    clientKey = metamask.client.clientKey,
    region: 'intl' | 'us' = 'intl',
  ) => {
    const p = pkce()
    const { token, url } = json(await cardSdk(clientKey, region).get(initiateUrl(clientKey, p)))
    expect(token).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/)
    expect(url).toContain('/v1/auth/oauth2/authorize?')
    const login = json(await cardSdk(clientKey, region).post('/v1/auth/login', { email, password: PASSWORD }))
    const granted = json(
      await cardSdk(clientKey, region, login.accessToken).post('/v1/auth/oauth/authorize', { token }),
    )
    expect(granted.state).toBe(p.state)
    const callback = new URL(granted.url)
    expect(callback.origin).toBe(REDIRECT)
    expect(Object.fromEntries(callback.searchParams)).toEqual({ code: granted.code, state: p.state })
    return { code: granted.code as string, verifier: p.verifier, login }
  }

  const exchange = (
    code: string,
    verifier: string,
    clientKey = metamask.client.clientKey,
    region: 'intl' | 'us' = 'intl',
  ) =>
    cardSdk(clientKey, region).post(
      '/v1/auth/oauth/token',
      { code, code_verifier: verifier, grant_type: 'authorization_code', redirect_uri: REDIRECT },
      { 'x-secret-key': clientKey },
    )

  const refresh = (refreshToken: string, clientKey = metamask.client.clientKey) =>
    cardSdk(clientKey).post(
      '/v1/auth/oauth/token',
      { grant_type: 'refresh_token', refresh_token: refreshToken },
      { 'x-secret-key': clientKey },
    )

  const oauthError = (response: LightMyRequestResponse, status: number, error: string) => {
    expect(response.statusCode, response.body).toBe(status)
    expect(response.json()).toEqual({ error, error_description: expect.any(String) })
    return response.json().error_description as string
  }

  it("drives MetaMask CardSDK's flow: initiate, login, authorize, JSON token, refresh; the tokens work on /v1", async () => {
    const email = await newUser()
    const { code, verifier, login } = await authorize(email)
    expect(login.isLinked).toBe(false)
    const tokens = json(await exchange(code, verifier))
    expect(tokens).toEqual({
      access_token: expect.stringMatching(/^INTL_/),
      token_type: 'Bearer',
      expires_in: 21600,
      refresh_token: expect.stringMatching(/^INTL_rt_/),
      refresh_token_expires_in: 15897600,
      scope: 'offline_access',
    })
    const user = cardSdk(metamask.client.clientKey, 'intl', tokens.access_token)
    expect(json(await user.get('/v1/user')).verificationState).toBe('UNVERIFIED')
    expect(json(await user.get('/v1/user/verification')).sessionUrl).toContain('/verify/')

    const renewed = json(await refresh(tokens.refresh_token))
    expect(renewed.refresh_token).not.toBe(tokens.refresh_token)
    expect(renewed.expires_in).toBe(21600)
    expect(
      (await cardSdk(metamask.client.clientKey, 'intl', renewed.access_token).get('/v1/user')).statusCode,
    ).toBe(200)

    const again = json(
      await cardSdk(metamask.client.clientKey).post('/v1/auth/login', { email, password: PASSWORD }),
    )
    expect(again.isLinked).toBe(true)
  })

  it('rotates refresh tokens: the old one is refused, and reusing it revokes the new ones too', async () => {
    const { code, verifier } = await authorize(await newUser())
    const first = json(await exchange(code, verifier))
    const second = json(await refresh(first.refresh_token))
    oauthError(await refresh(first.refresh_token), 400, 'invalid_grant')
    oauthError(await refresh(second.refresh_token), 400, 'invalid_grant')
    const user = cardSdk(metamask.client.clientKey, 'intl', second.access_token)
    expect((await user.get('/v1/user')).statusCode).toBe(401)
  })

  it('DELETE /revoke ends every token of this client for the user, not their login, and unlinks', async () => {
    const email = await newUser()
    const { code, verifier, login } = await authorize(email)
    const tokens = json(await exchange(code, verifier))
    expect(
      json(
        await cardSdk(metamask.client.clientKey, 'intl', tokens.access_token).delete('/v1/auth/oauth/revoke'),
      ),
    ).toEqual({
      success: true,
    })
    expect(
      (await cardSdk(metamask.client.clientKey, 'intl', tokens.access_token).get('/v1/user')).statusCode,
    ).toBe(401)
    oauthError(await refresh(tokens.refresh_token), 400, 'invalid_grant')
    expect(
      (await cardSdk(metamask.client.clientKey, 'intl', login.accessToken).get('/v1/user')).statusCode,
    ).toBe(200)
    const after = json(
      await cardSdk(metamask.client.clientKey).post('/v1/auth/login', { email, password: PASSWORD }),
    )
    expect(after.isLinked).toBe(false)
  })

  it('without mode=api, initiate redirects to the hosted sign-in page', async () => {
    const p = pkce()
    const response = await cardSdk(metamask.client.clientKey).get(
      initiateUrl(metamask.client.clientKey, p).replace('&mode=api', ''),
    )
    expect(response.statusCode).toBe(302)
    const location = new URL(response.headers.location as string)
    expect(location.pathname).toBe('/v1/auth/oauth2/authorize')
    expect(location.searchParams.get('code_challenge')).toBe(p.challenge)
    expect(location.searchParams.get('state')).toBe(p.state)
  })

  describe('bad input: the RFC 6749 error, never a 500', () => {
    it('names a missing parameter as the Baanx docs do', async () => {
      const url = initiateUrl(metamask.client.clientKey, pkce()).replace(/&code_challenge=[^&]+/, '')
      expect(json(await cardSdk(metamask.client.clientKey).get(url), 400)).toEqual({
        error: 'invalid_request',
        error_description: 'Missing required parameter: code_challenge',
      })
    })

    it('refuses plain PKCE, another response type, an unregistered redirect URI and a foreign client_id', async () => {
      const key = metamask.client.clientKey
      const url = initiateUrl(key, pkce())
      oauthError(await cardSdk(key).get(url.replace('method=S256', 'method=plain')), 400, 'invalid_request')
      oauthError(
        await cardSdk(key).get(url.replace('response_type=code', 'response_type=token')),
        400,
        'unsupported_response_type',
      )
      expect(
        oauthError(
          await cardSdk(key).get(initiateUrl(key, pkce(), 'https://evil.example')),
          400,
          'invalid_request',
        ),
      ).toContain('redirect_uri')
      oauthError(
        await cardSdk(key).get(url.replace(`client_id=${key}`, `client_id=${confidential.client.clientKey}`)),
        401,
        'invalid_client',
      )
    })

    it('refuses an unknown or missing client key with invalid_client', async () => {
      oauthError(
        await cardSdk('00000000-0000-4000-8000-000000000000').get(initiateUrl('x', pkce())),
        498,
        'invalid_client',
      )
      const response = await t.app.inject({
        method: 'POST',
        url: '/v1/auth/oauth/token',
        payload: { grant_type: 'refresh_token', refresh_token: 'x' },
      })
      oauthError(response, 499, 'invalid_client')
    })

    it('refuses a wrong or missing verifier without using up the code, then a reused code, revoking its tokens', async () => {
      const { code, verifier } = await authorize(await newUser())
      oauthError(await exchange(code, `${verifier.slice(0, -1)}x`), 400, 'invalid_grant')
      const missing = await cardSdk(metamask.client.clientKey).post('/v1/auth/oauth/token', {
        code,
        grant_type: 'authorization_code',
        redirect_uri: REDIRECT,
      })
      expect(oauthError(missing, 400, 'invalid_request')).toBe('Missing required parameter: code_verifier')
      const tokens = json(await exchange(code, verifier))
      oauthError(await exchange(code, verifier), 400, 'invalid_grant')
      expect(
        (await cardSdk(metamask.client.clientKey, 'intl', tokens.access_token).get('/v1/user')).statusCode,
      ).toBe(401)
      oauthError(await refresh(tokens.refresh_token), 400, 'invalid_grant')
    })

    it('refuses an expired code and a redirect URI other than the one authorized', async () => {
      const expired = await authorize(await newUser())
      t.clock.advance(2 * 60 * 1000 + 1)
      oauthError(await exchange(expired.code, expired.verifier), 400, 'invalid_grant')
      const other = await authorize(await newUser())
      const response = await cardSdk(metamask.client.clientKey).post('/v1/auth/oauth/token', {
        code: other.code,
        code_verifier: other.verifier,
        grant_type: 'authorization_code',
        redirect_uri: 'https://example.com/other',
      })
      oauthError(response, 400, 'invalid_grant')
    })

    it('refuses a wrong grant type, and a form body sent as JSON', async () => {
      oauthError(
        await cardSdk(metamask.client.clientKey).post('/v1/auth/oauth/token', { grant_type: 'password' }),
        400,
        'unsupported_grant_type',
      )
      const formAsJson = await t.app.inject({
        method: 'POST',
        url: '/v1/auth/oauth/token',
        headers: { 'content-type': 'application/json', 'x-client-key': metamask.client.clientKey },
        payload: 'grant_type=refresh_token&refresh_token=x',
      })
      oauthError(formAsJson, 400, 'invalid_request')
    })

    it('refuses an expired session token at authorize', async () => {
      const p = pkce()
      const { token } = json(
        await cardSdk(metamask.client.clientKey).get(initiateUrl(metamask.client.clientKey, p)),
      )
      const login = json(
        await cardSdk(metamask.client.clientKey).post('/v1/auth/login', {
          email: await newUser(),
          password: PASSWORD,
        }),
      )
      t.clock.advance(10 * 60 * 1000 + 1000)
      oauthError(
        await cardSdk(metamask.client.clientKey, 'intl', login.accessToken).post('/v1/auth/oauth/authorize', {
          token,
        }),
        400,
        'invalid_request',
      )
    })
  })

  describe('confidential clients, other clients and other regions', () => {
    it('a confidential client must present its secret: its client key in that role is refused', async () => {
      const key = confidential.client.clientKey
      const { code, verifier } = await authorize(await newUser(key), key)
      oauthError(await exchange(code, verifier, key), 401, 'invalid_client')
      const withSecret = await cardSdk(key).post(
        '/v1/auth/oauth/token',
        { code, code_verifier: verifier, grant_type: 'authorization_code', redirect_uri: REDIRECT },
        { 'x-secret-key': confidential.secretKey },
      )
      expect(json(withSecret).access_token).toMatch(/^INTL_/)
    })

    it("refuses another client's code, session token and refresh token", async () => {
      const { code, verifier } = await authorize(await newUser())
      const other = confidential.client.clientKey
      const stolen = await cardSdk(other).post(
        '/v1/auth/oauth/token',
        { code, code_verifier: verifier, grant_type: 'authorization_code', redirect_uri: REDIRECT },
        { 'x-secret-key': confidential.secretKey },
      )
      oauthError(stolen, 400, 'invalid_grant')
      const tokens = json(await exchange(code, verifier))
      oauthError(
        await cardSdk(other).post(
          '/v1/auth/oauth/token',
          { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
          { 'x-secret-key': confidential.secretKey },
        ),
        400,
        'invalid_grant',
      )
      expect((await cardSdk(other, 'intl', tokens.access_token).get('/v1/user')).statusCode).toBe(403)

      const p = pkce()
      const { token } = json(
        await cardSdk(metamask.client.clientKey).get(initiateUrl(metamask.client.clientKey, p)),
      )
      const otherLogin = json(
        await cardSdk(other).post('/v1/auth/login', { email: await newUser(other), password: PASSWORD }),
      )
      oauthError(
        await cardSdk(other, 'intl', otherLogin.accessToken).post('/v1/auth/oauth/authorize', { token }),
        400,
        'invalid_request',
      )
    })

    it('keeps a us code and its tokens in us: presented to intl they are refused', async () => {
      const { code, verifier } = await authorize(
        await newUser(metamask.client.clientKey, 'us'),
        metamask.client.clientKey,
        'us',
      )
      expect(code).toMatch(/^US_ac_/)
      oauthError(await exchange(code, verifier, metamask.client.clientKey, 'intl'), 400, 'invalid_grant')
      const tokens = json(await exchange(code, verifier, metamask.client.clientKey, 'us'))
      expect(tokens.access_token).toMatch(/^US_/)
      expect(
        (await cardSdk(metamask.client.clientKey, 'us', tokens.access_token).get('/v1/user')).statusCode,
      ).toBe(200)
      expect(
        (await cardSdk(metamask.client.clientKey, 'intl', tokens.access_token).get('/v1/user')).statusCode,
      ).toBe(401)
    })

    it('answers unauthorized_client at the token endpoint to a client not enabled for the region', async () => {
      const intlOnly = await t.createClient({ name: 'intl app', regions: ['intl'], redirectUris: [REDIRECT] })
      const key = intlOnly.client.clientKey
      oauthError(
        await cardSdk(key, 'us').post(
          '/v1/auth/oauth/token',
          { grant_type: 'refresh_token', refresh_token: 'US_rt_unknown' },
          { 'x-secret-key': intlOnly.secretKey },
        ),
        400,
        'unauthorized_client',
      )
      const p = pkce()
      oauthError(await cardSdk(key, 'us').get(initiateUrl(key, p)), 403, 'access_denied')
    })
  })

  it("refuses a suspended user's code and refresh token", async () => {
    const email = await newUser()
    const { code, verifier, login } = await authorize(email)
    const tokens = json(await exchange(code, verifier))
    const second = await authorize(email)
    await setUserSuspended(t.runtime, login.userId, true, TEST_ACTOR)
    oauthError(await refresh(tokens.refresh_token), 400, 'invalid_grant')
    oauthError(await exchange(second.code, second.verifier), 400, 'invalid_grant')
  })

  // Last: it moves the clock past every refresh token's 184 days.
  it('prunes expired codes and refresh tokens', async () => {
    const { code, verifier } = await authorize(await newUser())
    json(await exchange(code, verifier))
    const database = t.runtime.databases.byRegion.intl
    const rows = async (table: 'oauth_code' | 'oauth_refresh_token') =>
      Number(
        (
          await database.db
            .selectFrom(table)
            .select(database.db.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      )
    expect(await rows('oauth_refresh_token')).toBeGreaterThan(0)
    t.clock.advance(185 * DAY_MS)
    const context = { database, clock: t.clock, log: createLogger('silent') } as unknown as JobContext
    await pruneOAuthJob.handle({}, context)
    expect(await rows('oauth_refresh_token')).toBe(0)
    expect(await rows('oauth_code')).toBe(0)
  })
})
