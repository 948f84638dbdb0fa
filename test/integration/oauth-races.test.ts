import { createHash, randomBytes } from 'node:crypto'
import type { LightMyRequestResponse } from 'fastify'
import { Registry } from 'prom-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashSecret } from '../../src/lib/tokens.ts'
import { createApp } from '../../src/runtime.ts'
import { register, sandboxCodes } from '../helpers/accounts.ts'
import { buildTestApp, type TestApp } from '../helpers/app.ts'
import { DIALECTS } from '../helpers/dialects.ts'
import { holdAfter, insertInto, someoneWaitsForNameLock } from '../helpers/interleaving.ts'

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

  it('a reuse revokes the token that a rotation in flight issues', async () => {
    const { code, verifier } = await authorize(await newUser())
    const r1 = json(await exchange(code, verifier)).refresh_token as string
    const r2 = json(await refresh(r1)).refresh_token as string
    const held = holdAfter(t.runtime.databases, 'intl', insertInto('oauth_refresh_token'))
    // The same runtime seeing the held databases (its own metrics registry: the names are taken).
    const heldApp = await createApp({ ...t.runtime, databases: held.databases, metrics: new Registry() })
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
})
