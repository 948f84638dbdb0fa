import { createHash, randomBytes } from 'node:crypto'
import type { LightMyRequestResponse } from 'fastify'
import { Registry } from 'prom-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashSecret } from '../../src/lib/tokens.ts'
import { createApp } from '../../src/runtime.ts'
import { register, sandboxCodes } from '../helpers/accounts.ts'
import { buildTestApp, type TestApp } from '../helpers/app.ts'
import { DIALECTS } from '../helpers/dialects.ts'
import { holdAfter, insertInto, someoneWaitsForNameLock, updateOf } from '../helpers/interleaving.ts'

const PASSWORD = 'correct horse battery'
const REDIRECT = 'https://example.com'

const pkce = () => {
  const verifier = randomBytes(48).toString('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}

/**
 * What must not interleave in one family or one grant (decision 198): a rotation in flight against the
 * family's revocation, two exchanges of one code, a revocation of the grant against a code not yet
 * exchanged. Held transactions stage the interleavings; on SQLite they serialize anyway.
 */
describe.each(DIALECTS)('OAuth families and grants under concurrency (%s)', (dialect) => {
  let t: TestApp
  let app: Awaited<ReturnType<TestApp['createClient']>>
  let sequence = 0

  beforeAll(async () => {
    t = await buildTestApp(dialect)
    app = await t.createClient({
      name: 'card app',
      regions: ['intl'],
      redirectUris: [REDIRECT],
      publicOAuth: true,
    })
  })
  afterAll(async () => {
    await t.close()
  })

  const sdk = (bearer?: string) => {
    const headers = {
      'content-type': 'application/json',
      'x-client-key': app.client.clientKey,
      'x-us-env': 'false',
      ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
    }
    return {
      get: (url: string) => t.app.inject({ method: 'GET', url, headers }),
      post: (url: string, payload: object, extra: Record<string, string> = {}) =>
        t.app.inject({ method: 'POST', url, headers: { ...headers, ...extra }, payload }),
      delete: (url: string) => t.app.inject({ method: 'DELETE', url, headers }),
    }
  }

  const json = (response: LightMyRequestResponse, status = 200) => {
    expect(response.statusCode, response.body).toBe(status)
    return response.json()
  }

  const newUser = async () => {
    sequence += 1
    const email = `races${sequence}@example.com`
    const number = `74009${String(60000 + sequence).slice(-5)}`
    await register(t.app, app.client.clientKey, sandboxCodes, {
      email,
      password: PASSWORD,
      region: 'intl',
      country: 'GB',
      phone: { countryCode: '+44', number, e164: `+44${number}` },
    })
    return email
  }

  const authorize = async (email: string) => {
    const p = pkce()
    const query = new URLSearchParams([
      ['client_id', app.client.clientKey],
      ['redirect_uri', REDIRECT],
      ['state', 'st'.repeat(16)],
      ['code_challenge', p.challenge],
      ['code_challenge_method', 'S256'],
      ['mode', 'api'],
      ['response_type', 'code'],
    ])
    const { token } = json(await sdk().get(`/v1/auth/oauth/authorize/initiate?${query}`))
    const login = json(await sdk().post('/v1/auth/login', { email, password: PASSWORD }))
    const granted = json(await sdk(login.accessToken).post('/v1/auth/oauth/authorize', { token }))
    return { code: granted.code as string, verifier: p.verifier, login }
  }

  const exchange = (code: string, verifier: string) =>
    sdk().post(
      '/v1/auth/oauth/token',
      { code, code_verifier: verifier, grant_type: 'authorization_code', redirect_uri: REDIRECT },
      { 'x-secret-key': app.client.clientKey },
    )

  const refresh = (refreshToken: string, server = t.app) =>
    server.inject({
      method: 'POST',
      url: '/v1/auth/oauth/token',
      headers: {
        'content-type': 'application/json',
        'x-client-key': app.client.clientKey,
        'x-secret-key': app.client.clientKey,
        'x-us-env': 'false',
      },
      payload: { grant_type: 'refresh_token', refresh_token: refreshToken },
    })

  const refreshTokenRow = (refreshToken: string) =>
    t.runtime.databases.byRegion.intl.db
      .selectFrom('oauth_refresh_token')
      .selectAll()
      .where('id', '=', hashSecret(refreshToken))
      .executeTakeFirstOrThrow()

  const me = (accessToken: string) => sdk(accessToken).get('/v1/user')

  /** The same runtime seeing held databases (with its own metrics registry: the names are taken). */
  const appWith = (held: ReturnType<typeof holdAfter>) =>
    createApp({ ...t.runtime, databases: held.databases, metrics: new Registry() })

  it('a reuse revokes the token that a rotation in flight issues', async () => {
    const { code, verifier } = await authorize(await newUser())
    const r1 = json(await exchange(code, verifier)).refresh_token as string
    const r2 = json(await refresh(r1)).refresh_token as string
    const held = holdAfter(t.runtime.databases, 'intl', insertInto('oauth_refresh_token'))
    const heldApp = await appWith(held)
    const rotation = refresh(r2, heldApp)
    await held.reached
    let reuseSettled = false
    const reuse = refresh(r1).finally(() => {
      reuseSettled = true
    })
    try {
      await someoneWaitsForNameLock(t.runtime.databases.byRegion.intl)
      expect(reuseSettled, 'the reuse waits for the rotation').toBe(false)
    } finally {
      held.release()
    }
    const r3 = json(await rotation).refresh_token as string
    await heldApp.close()
    expect(json(await reuse, 400).error).toBe('invalid_grant')
    expect((await refreshTokenRow(r3)).revoked_at).not.toBeNull()
    expect(json(await refresh(r3), 400).error).toBe('invalid_grant')
  })
  it('of two exchanges of one code at once, one wins and the other revokes what it got', async () => {
    const email = await newUser()
    for (let round = 0; round < 5; round++) {
      const { code, verifier } = await authorize(email)
      const answers = await Promise.all([exchange(code, verifier), exchange(code, verifier)])
      expect(answers.map((answer) => answer.statusCode).sort()).toEqual([200, 400])
      const winner = answers.find((answer) => answer.statusCode === 200)?.json()
      expect(
        json(answers.find((answer) => answer.statusCode === 400) as LightMyRequestResponse, 400).error,
      ).toBe('invalid_grant')
      expect((await me(winner.access_token)).statusCode).toBe(401)
      expect(json(await refresh(winner.refresh_token), 400).error).toBe('invalid_grant')
    }
  })

  it('a code not yet exchanged is used up by DELETE /v1/auth/oauth/revoke', async () => {
    const email = await newUser()
    const { code, verifier, login } = await authorize(email)
    json(await sdk(login.accessToken).delete('/v1/auth/oauth/revoke'))
    expect(json(await exchange(code, verifier), 400).error).toBe('invalid_grant')
    expect(json(await sdk().post('/v1/auth/login', { email, password: PASSWORD })).isLinked).toBe(false)
  })

  it('a revocation of the grant waits for an exchange in flight and revokes what it issues', async () => {
    const email = await newUser()
    const { code, verifier, login } = await authorize(email)
    const held = holdAfter(t.runtime.databases, 'intl', updateOf('oauth_code'))
    const heldApp = await appWith(held)
    const exchanging = heldApp.inject({
      method: 'POST',
      url: '/v1/auth/oauth/token',
      headers: {
        'content-type': 'application/json',
        'x-client-key': app.client.clientKey,
        'x-secret-key': app.client.clientKey,
        'x-us-env': 'false',
      },
      payload: { code, code_verifier: verifier, grant_type: 'authorization_code', redirect_uri: REDIRECT },
    })
    await held.reached
    let revokeSettled = false
    const revoking = sdk(login.accessToken)
      .delete('/v1/auth/oauth/revoke')
      .finally(() => {
        revokeSettled = true
      })
    try {
      await someoneWaitsForNameLock(t.runtime.databases.byRegion.intl)
      expect(revokeSettled, 'the revocation waits for the exchange').toBe(false)
    } finally {
      held.release()
    }
    const tokens = json(await exchanging)
    json(await revoking)
    await heldApp.close()
    expect((await me(tokens.access_token)).statusCode).toBe(401)
    expect(json(await refresh(tokens.refresh_token), 400).error).toBe('invalid_grant')
    expect(json(await sdk().post('/v1/auth/login', { email, password: PASSWORD })).isLinked).toBe(false)
  })
})
