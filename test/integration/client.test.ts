import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { disableClient, rotateClientSecret } from '../../src/modules/clients/index.ts'
import { buildTestApp, TEST_ACTOR, type TestApp } from '../helpers/app.ts'
import { DIALECTS } from '../helpers/dialects.ts'

describe.each(DIALECTS)('GET/PATCH /v1/client and client authentication (%s)', (dialect) => {
  let t: TestApp
  let both: Awaited<ReturnType<TestApp['createClient']>>
  let intlOnly: Awaited<ReturnType<TestApp['createClient']>>

  beforeAll(async () => {
    t = await buildTestApp(dialect)
    both = await t.createClient({
      name: 'both regions',
      regions: ['intl', 'us'],
      allowedOrigins: ['https://app.example.com'],
    })
    intlOnly = await t.createClient({ name: 'intl only', regions: ['intl'] })
  })
  afterAll(() => t.close())

  const get = (headers: Record<string, string>, url = '/v1/client') =>
    t.app.inject({ method: 'GET', url, headers })
  const patch = (
    headers: Record<string, string>,
    payload: string | object,
    contentType = 'application/json',
  ) =>
    t.app.inject({
      method: 'PATCH',
      url: '/v1/client',
      headers: { 'content-type': contentType, ...headers },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    })

  describe('200', () => {
    it('answers with the client and the intl region by default', async () => {
      const response = await get({ 'x-client-key': both.client.clientKey })
      expect(response.statusCode).toBe(200)
      expect(response.json()).toEqual({
        id: both.client.id,
        name: 'both regions',
        mode: 'sandbox',
        regions: ['intl', 'us'],
        region: 'intl',
        secretKeyVerified: false,
      })
    })

    it('routes to us with x-us-env: true or ?region=us, and to intl with "false"', async () => {
      const key = both.client.clientKey
      expect((await get({ 'x-client-key': key, 'x-us-env': 'true' })).json().region).toBe('us')
      expect((await get({ 'x-client-key': key, 'x-us-env': 'TRUE' })).json().region).toBe('us')
      expect((await get({ 'x-client-key': key }, '/v1/client?region=us')).json().region).toBe('us')
      expect((await get({ 'x-client-key': key, 'x-us-env': 'false' })).json().region).toBe('intl')
    })

    it('accepts Content-Type: application/json on a GET, as real clients send it', async () => {
      const response = await get({
        'x-client-key': both.client.clientKey,
        'content-type': 'application/json',
      })
      expect(response.statusCode).toBe(200)
    })

    it('shows server-side settings only with a valid secret key', async () => {
      const response = await get({ 'x-client-key': both.client.clientKey, 'x-secret-key': both.secretKey })
      expect(response.statusCode).toBe(200)
      expect(response.json()).toMatchObject({
        secretKeyVerified: true,
        allowedOrigins: ['https://app.example.com'],
        redirectUris: [],
        secretHint: both.client.secretHint,
      })
    })

    it('PATCH replaces the lists it is given and keeps the others', async () => {
      const client = await t.createClient({ name: 'patchable', allowedOrigins: ['https://a.example.com'] })
      const headers = { 'x-client-key': client.client.clientKey, 'x-secret-key': client.secretKey }
      const response = await patch(headers, {
        redirectUris: ['https://a.example.com/cb', 'io.example.app://cb'],
      })
      expect(response.statusCode).toBe(200)
      expect(response.json()).toMatchObject({
        redirectUris: ['https://a.example.com/cb', 'io.example.app://cb'],
        allowedOrigins: ['https://a.example.com'],
      })
      const second = await patch(headers, { allowedOrigins: [] })
      expect(second.json()).toMatchObject({
        redirectUris: ['https://a.example.com/cb', 'io.example.app://cb'],
        allowedOrigins: [],
      })
    })

    it("PATCH cannot give the client a region: data residency is the operator's", async () => {
      const client = await t.createClient({ name: 'one region', regions: ['intl'] })
      const headers = { 'x-client-key': client.client.clientKey, 'x-secret-key': client.secretKey }
      const response = await patch(headers, { returnUrl: null, regions: ['intl', 'us'] })
      expect(response.statusCode).toBe(200)
      expect(response.json()).toMatchObject({ regions: ['intl'] })
    })
  })

  describe('400', () => {
    it('malformed JSON', async () => {
      const response = await patch(
        { 'x-client-key': both.client.clientKey, 'x-secret-key': both.secretKey },
        '{"redirectUris": [',
      )
      expect(response.statusCode).toBe(400)
      expect(response.json()).toEqual({ message: 'Malformed JSON body', errorCode: 'MALFORMED_JSON' })
    })
  })

  describe('401', () => {
    it('a wrong secret key is refused, not ignored', async () => {
      const response = await get({ 'x-client-key': both.client.clientKey, 'x-secret-key': 'vsk_test_wrong' })
      expect(response.statusCode).toBe(401)
      expect(response.json()).toEqual({ message: 'Not authenticated', errorCode: 'INVALID_SECRET_KEY' })
    })

    it('a server-to-server route needs the secret key', async () => {
      const response = await patch({ 'x-client-key': both.client.clientKey }, { allowedOrigins: [] })
      expect(response.statusCode).toBe(401)
      expect(response.json()).toEqual({ message: 'Not authenticated', errorCode: 'INVALID_SECRET_KEY' })
    })

    it("another client's secret does not work", async () => {
      const response = await patch(
        { 'x-client-key': both.client.clientKey, 'x-secret-key': intlOnly.secretKey },
        { allowedOrigins: [] },
      )
      expect(response.statusCode).toBe(401)
    })

    it('a rotated secret stops working at once and the new one works', async () => {
      const client = await t.createClient({ name: 'rotating' })
      const rotated = await rotateClientSecret(t.runtime, client.client.id, TEST_ACTOR)
      const key = client.client.clientKey
      expect((await get({ 'x-client-key': key, 'x-secret-key': client.secretKey })).statusCode).toBe(401)
      expect((await get({ 'x-client-key': key, 'x-secret-key': rotated.secretKey })).statusCode).toBe(200)
    })
  })

  describe('403', () => {
    it('a client not enabled for us', async () => {
      for (const [label, request] of [
        ['x-us-env: true', get({ 'x-client-key': intlOnly.client.clientKey, 'x-us-env': 'true' })],
        ['?region=us', get({ 'x-client-key': intlOnly.client.clientKey }, '/v1/client?region=us')],
      ] as const) {
        const response = await request
        expect(response.statusCode, label).toBe(403)
        expect(response.json(), label).toEqual({ message: 'Not authorized', errorCode: 'REGION_NOT_ENABLED' })
      }
    })
  })

  describe('404', () => {
    it('an unknown route answers JSON', async () => {
      const response = await get({ 'x-client-key': both.client.clientKey }, '/v1/nothing-here')
      expect(response.statusCode).toBe(404)
      expect(response.json()).toEqual({ message: 'Route not found', errorCode: 'ROUTE_NOT_FOUND' })
    })
  })

  describe('413', () => {
    it('a body over the limit', async () => {
      const huge = { redirectUris: ['https://x.example.com/'.padEnd(2_000_000, 'a')] }
      const response = await patch(
        { 'x-client-key': both.client.clientKey, 'x-secret-key': both.secretKey },
        huge,
      )
      expect(response.statusCode).toBe(413)
      expect(response.json()).toEqual({ message: 'Request body too large', errorCode: 'PAYLOAD_TOO_LARGE' })
    })
  })

  describe('415', () => {
    it('a body that is not JSON', async () => {
      const response = await patch(
        { 'x-client-key': both.client.clientKey, 'x-secret-key': both.secretKey },
        '<x/>',
        'application/xml',
      )
      expect(response.statusCode).toBe(415)
      expect(response.json().errorCode).toBe('UNSUPPORTED_MEDIA_TYPE')
    })
  })

  describe('422', () => {
    it('x-us-env that is not a boolean, and an unknown region', async () => {
      const header = await get({ 'x-client-key': both.client.clientKey, 'x-us-env': 'maybe' })
      expect(header.statusCode).toBe(422)
      expect(header.json()).toEqual({
        message: 'Validation error',
        errorCode: 'VALIDATION_ERROR',
        errors: [{ field: 'x-us-env', message: 'must be "true" or "false"' }],
      })
      const query = await get({ 'x-client-key': both.client.clientKey }, '/v1/client?region=mars')
      expect(query.statusCode).toBe(422)
      expect(query.json().errors).toEqual([{ field: 'region', message: 'must be "us" or "intl"' }])
    })

    it('wrong types name the field', async () => {
      const response = await patch(
        { 'x-client-key': both.client.clientKey, 'x-secret-key': both.secretKey },
        { redirectUris: 'https://x' },
      )
      expect(response.statusCode).toBe(422)
      expect(response.json().errors).toEqual([{ field: 'redirectUris', message: 'must be array' }])
    })

    it('an empty body (as some clients send) is read as {} and fails on content, not on parsing', async () => {
      const response = await patch(
        { 'x-client-key': both.client.clientKey, 'x-secret-key': both.secretKey },
        '',
      )
      expect(response.statusCode).toBe(422)
      expect(response.json().errorCode).toBe('VALIDATION_ERROR')
    })

    it('invalid values are explained', async () => {
      const response = await patch(
        { 'x-client-key': both.client.clientKey, 'x-secret-key': both.secretKey },
        {
          redirectUris: ['not a url', 'http://evil.example.com/cb'],
          allowedOrigins: ['https://ok.example.com/path'],
        },
      )
      expect(response.statusCode).toBe(422)
      expect(response.json().errors).toEqual([
        { field: 'redirectUris', message: '"not a url" is not an absolute URI' },
        {
          field: 'redirectUris',
          message:
            '"http://evil.example.com/cb" must use https (http is allowed only for localhost in sandbox)',
        },
        {
          field: 'allowedOrigins',
          message: '"https://ok.example.com/path" is not an origin like https://app.example.com',
        },
      ])
    })

    it('unknown fields are ignored', async () => {
      const response = await patch(
        { 'x-client-key': both.client.clientKey, 'x-secret-key': both.secretKey },
        { allowedOrigins: ['https://app.example.com'], colour: 'blue' },
      )
      expect(response.statusCode).toBe(200)
    })
  })

  describe('498', () => {
    it('an unknown key', async () => {
      const response = await get({ 'x-client-key': '00000000-0000-4000-8000-000000000000' })
      expect(response.statusCode).toBe(498)
      expect(response.json()).toEqual({ message: 'Invalid client key', errorCode: 'INVALID_CLIENT_KEY' })
    })

    it('a disabled client, indistinguishable from an unknown key', async () => {
      const client = await t.createClient({ name: 'to disable' })
      expect((await get({ 'x-client-key': client.client.clientKey })).statusCode).toBe(200)
      await disableClient(t.runtime, client.client.id, TEST_ACTOR)
      const response = await get({ 'x-client-key': client.client.clientKey })
      expect(response.statusCode).toBe(498)
      expect(response.json()).toEqual({ message: 'Invalid client key', errorCode: 'INVALID_CLIENT_KEY' })
    })

    it('an oversized key', async () => {
      expect((await get({ 'x-client-key': 'k'.repeat(5000) })).statusCode).toBe(498)
    })
  })

  describe('499', () => {
    it('no key, or an empty one, even before the region is checked', async () => {
      const cases: Record<string, string>[] = [{}, { 'x-client-key': '' }, { 'x-us-env': 'maybe' }]
      for (const headers of cases) {
        const response = await get(headers)
        expect(response.statusCode, JSON.stringify(headers)).toBe(499)
        expect(response.json(), JSON.stringify(headers)).toEqual({
          message: 'Missing client key',
          errorCode: 'MISSING_CLIENT_KEY',
        })
      }
    })
  })

  describe('every response', () => {
    it('carries an x-request-id, reusing a well-formed incoming one', async () => {
      const minted = await get({})
      expect(minted.headers['x-request-id']).toMatch(/^req_[0-9A-Z]{26}$/)
      const reused = await get({ 'x-request-id': 'trace-1234abcd' })
      expect(reused.headers['x-request-id']).toBe('trace-1234abcd')
      const refused = await get({ 'x-request-id': 'bad id\nwith newline' })
      expect(refused.headers['x-request-id']).toMatch(/^req_/)
    })

    it('carries security headers', async () => {
      const response = await get({ 'x-client-key': both.client.clientKey })
      expect(response.headers['x-content-type-options']).toBe('nosniff')
      expect(response.headers['content-security-policy']).toContain("default-src 'none'")
      expect(response.headers['referrer-policy']).toBe('no-referrer')
      expect(response.headers['x-frame-options']).toBe('SAMEORIGIN')
      expect(response.headers['cross-origin-resource-policy']).toBe('same-site')
      // PUBLIC_URL is http here: no HSTS (it would pin a development host to https).
      expect(response.headers['strict-transport-security']).toBeUndefined()
      const missing = await get({}, '/v1/nothing-here')
      expect(missing.headers['x-content-type-options']).toBe('nosniff')
    })
  })
})
