import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../helpers/app.ts'
import { DIALECTS } from '../helpers/dialects.ts'

describe.each(DIALECTS)('CORS per client (%s)', (dialect) => {
  let t: TestApp
  let shop: Awaited<ReturnType<TestApp['createClient']>>
  let other: Awaited<ReturnType<TestApp['createClient']>>

  beforeAll(async () => {
    t = await buildTestApp(dialect)
    shop = await t.createClient({ name: 'shop', allowedOrigins: ['https://shop.example.com'] })
    other = await t.createClient({ name: 'other', allowedOrigins: ['https://other.example.com'] })
  })
  afterAll(() => t.close())

  const preflight = (
    origin: string,
    requestHeaders = 'x-client-key, content-type, authorization, x-us-env',
  ) =>
    t.app.inject({
      method: 'OPTIONS',
      url: '/v1/client',
      headers: {
        origin,
        'access-control-request-method': 'GET',
        'access-control-request-headers': requestHeaders,
      },
    })

  it('answers a preflight from an origin a client allows, with the headers the seed examples send', async () => {
    const response = await preflight('https://shop.example.com')
    expect(response.statusCode).toBe(204)
    expect(response.headers['access-control-allow-origin']).toBe('https://shop.example.com')
    const allowed = String(response.headers['access-control-allow-headers']).split(/,\s*/)
    expect(allowed).toEqual(
      expect.arrayContaining(['x-client-key', 'content-type', 'authorization', 'x-us-env']),
    )
  })

  it('never lets a browser send x-secret-key', async () => {
    const response = await preflight('https://shop.example.com', 'x-client-key, x-secret-key')
    expect(String(response.headers['access-control-allow-headers'])).not.toContain('x-secret-key')
  })

  it('gives no CORS grant to an origin no client allows', async () => {
    const response = await preflight('https://evil.example.com')
    expect(response.headers['access-control-allow-origin']).toBeUndefined()
  })

  it("allows the actual request only from the key owner's origins", async () => {
    const fromShop = await t.app.inject({
      method: 'GET',
      url: '/v1/client',
      headers: { origin: 'https://shop.example.com', 'x-client-key': shop.client.clientKey },
    })
    expect(fromShop.statusCode).toBe(200)
    expect(fromShop.headers['access-control-allow-origin']).toBe('https://shop.example.com')
    expect(String(fromShop.headers['access-control-expose-headers'])).toContain('x-request-id')

    // A page on another client's origin using this client's key gets no grant: the browser hides the answer.
    const crossTenant = await t.app.inject({
      method: 'GET',
      url: '/v1/client',
      headers: { origin: 'https://other.example.com', 'x-client-key': shop.client.clientKey },
    })
    expect(crossTenant.headers['access-control-allow-origin']).toBeUndefined()
    expect(other.client.allowedOrigins).toEqual(['https://other.example.com'])
  })

  it('follows changes made through PATCH /v1/client', async () => {
    const client = await t.createClient({ name: 'moving', allowedOrigins: [] })
    const before = await preflight('https://new.example.com')
    expect(before.headers['access-control-allow-origin']).toBeUndefined()
    await t.app.inject({
      method: 'PATCH',
      url: '/v1/client',
      headers: { 'x-client-key': client.client.clientKey, 'x-secret-key': client.secretKey },
      payload: { allowedOrigins: ['https://new.example.com'] },
    })
    const after = await preflight('https://new.example.com')
    expect(after.headers['access-control-allow-origin']).toBe('https://new.example.com')
  })
})
