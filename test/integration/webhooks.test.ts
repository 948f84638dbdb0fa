import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../helpers/app.ts'
import { DIALECTS } from '../helpers/dialects.ts'
import { changeState, insertUser, management } from '../helpers/webhooks.ts'

const VALID = {
  name: 'backend',
  url: 'https://hooks.example.com/verity',
  event_types: ['kyc.status.changed'],
}
const ROUTES = [
  ['POST', '/v1/webhooks'],
  ['GET', '/v1/webhooks'],
  ['GET', '/v1/webhooks/whe_x'],
  ['PUT', '/v1/webhooks/whe_x'],
  ['DELETE', '/v1/webhooks/whe_x'],
  ['POST', '/v1/webhooks/whe_x/rotate-key'],
  ['GET', '/v1/webhooks/whe_x/logs'],
  ['POST', '/v1/webhooks/whe_x/test'],
  ['GET', '/v1/webhooks/events'],
  ['GET', '/v1/webhooks/events/00000000-0000-4000-8000-000000000000/logs'],
  ['GET', '/v1/webhooks/events/00000000-0000-4000-8000-000000000000/status'],
  ['POST', '/v1/webhooks/events/00000000-0000-4000-8000-000000000000/retry'],
] as const

describe.each(DIALECTS)('webhook management API (%s)', (dialect) => {
  let t: TestApp
  beforeAll(async () => {
    t = await buildTestApp(dialect)
  })
  afterAll(() => t.close())

  const newClient = async (regions: Array<'intl' | 'us'> = ['intl']) => {
    const { client, secretKey } = await t.createClient({ regions })
    return { client, secretKey, api: management(t.app, client.clientKey, secretKey) }
  }

  describe('201', () => {
    it('creates an endpoint and shows its key in full once, masked afterwards', async () => {
      const { client, api } = await newClient()
      const response = await api.request('POST', '/v1/webhooks', { ...VALID, metadata: { team: 'kyc' } })
      expect(response.statusCode).toBe(201)
      const { success, data } = response.json()
      expect(success).toBe(true)
      expect(data).toEqual({
        id: expect.stringMatching(/^whe_[0-9A-Z]{26}$/),
        tenant: client.id,
        name: 'backend',
        url: 'https://hooks.example.com/verity',
        apiKey: expect.stringMatching(/^whk_[A-Za-z0-9_-]{43}$/),
        standardWebhooksSecret: expect.stringMatching(/^whsec_/),
        previousKeyExpiresAt: null,
        eventTypes: ['kyc.status.changed'],
        isActive: false,
        status: 'inactive',
        disabledReason: null,
        metadata: { team: 'kyc' },
        createdAt: new Date(t.clock.now()).toISOString(),
        updatedAt: new Date(t.clock.now()).toISOString(),
      })
      expect(data.standardWebhooksSecret).toBe(`whsec_${Buffer.from(data.apiKey).toString('base64')}`)
      const shown = (await api.request('GET', `/v1/webhooks/${data.id}`)).json().data
      expect(shown.apiKey).toBe(`whk_****...****${data.apiKey.slice(-4)}`)
      expect(shown).not.toHaveProperty('standardWebhooksSecret')
      // The key is stored sealed, never in clear.
      const row = await t.runtime.databases.home.db
        .selectFrom('webhook_endpoint')
        .selectAll()
        .where('id', '=', data.id)
        .executeTakeFirstOrThrow()
      expect(JSON.stringify(row)).not.toContain(data.apiKey.slice(4))
    })

    it('accepts category wildcards and *', async () => {
      const { api } = await newClient()
      const response = await api.request('POST', '/v1/webhooks', {
        ...VALID,
        event_types: ['kyc.*', 'user.*', '*'],
      })
      expect(response.statusCode).toBe(201)
      expect(response.json().data.eventTypes).toEqual(['kyc.*', 'user.*', '*'])
    })
  })

  describe('200', () => {
    it('lists, reads, changes, rotates and deletes', async () => {
      const { api } = await newClient()
      const created = await api.create({ ...VALID, is_active: true })
      const list = (await api.request('GET', '/v1/webhooks')).json()
      expect(list).toEqual({
        success: true,
        data: [expect.objectContaining({ id: created.id, isActive: true })],
      })

      t.clock.advance(1000)
      const changed = await api.request('PUT', `/v1/webhooks/${created.id}`, {
        name: 'renamed',
        event_types: ['*'],
        is_active: false,
      })
      expect(changed.statusCode).toBe(200)
      expect(changed.json().data).toMatchObject({
        name: 'renamed',
        eventTypes: ['*'],
        isActive: false,
        url: VALID.url,
      })
      expect(changed.json().data.updatedAt).toBe(new Date(t.clock.now()).toISOString())

      const rotated = await api.request('POST', `/v1/webhooks/${created.id}/rotate-key`)
      expect(rotated.statusCode).toBe(200)
      expect(rotated.json().data.apiKey).toMatch(/^whk_/)
      expect(rotated.json().data.apiKey).not.toBe(created.apiKey)
      expect(rotated.json().data.previousKeyExpiresAt).toBe(
        new Date(t.clock.now() + 24 * 3600_000).toISOString(),
      )

      const logs = await api.request('GET', `/v1/webhooks/${created.id}/logs?limit=10`)
      expect(logs.json()).toEqual({ success: true, data: { count: 0, logs: [] } })

      const deleted = await api.request('DELETE', `/v1/webhooks/${created.id}`)
      expect(deleted.json()).toEqual({ success: true })
      expect((await api.request('GET', `/v1/webhooks/${created.id}`)).statusCode).toBe(404)
    })

    it('lists events of the routed region with their status, logs and delivery status', async () => {
      const { client, api } = await newClient()
      const userId = await insertUser(t.runtime.databases.home, client.id, t.clock.now())
      await changeState(t.runtime, userId, 'submitted')
      const events = (await api.request('GET', '/v1/webhooks/events')).json().data
      expect(events.count).toBe(1)
      const [event] = events.events
      expect(event).toMatchObject({
        eventType: 'kyc.status.changed',
        tenant: client.id,
        userId,
        sourceService: 'verification',
        // The client has no endpoint: the deliveries (none) were written with the event.
        status: 'no_endpoints',
        processedAt: new Date(t.clock.now()).toISOString(),
      })
      expect(event.id).toBe(event.eventId)
      expect(event.payload).toMatchObject({ event_id: event.id, event_object_status: 'pending' })
      const status = await api.request('GET', `/v1/webhooks/events/${event.id}/status`)
      expect(status.json()).toEqual({
        success: true,
        data: { eventId: event.id, eventType: 'kyc.status.changed', status: 'no_endpoints', deliveries: [] },
      })
      const logs = await api.request('GET', `/v1/webhooks/events/${event.id}/logs`)
      expect(logs.json()).toEqual({ success: true, data: { count: 0, logs: [] } })
    })
  })

  describe('202', () => {
    it('queues a test event to one endpoint, even an inactive one', async () => {
      const { api } = await newClient()
      const { id } = await api.create(VALID)
      const response = await api.request('POST', `/v1/webhooks/${id}/test`)
      expect(response.statusCode).toBe(202)
      expect(response.json().data).toMatchObject({
        eventType: 'webhook.test',
        status: 'pending',
        deliveries: [{ webhookId: id, status: 'pending', attempts: 0 }],
      })
    })
  })

  describe('400', () => {
    it('refuses a sixth endpoint with the Baanx message', async () => {
      const { api } = await newClient()
      for (let i = 0; i < 5; i++) await api.create({ ...VALID, name: `hook ${i}` })
      const response = await api.request('POST', '/v1/webhooks', VALID)
      expect(response.statusCode).toBe(400)
      expect(response.json()).toEqual({
        message: 'Maximum webhook limit (5) reached for this tenant',
        errorCode: 'WEBHOOK_LIMIT_REACHED',
      })
      expect((await api.request('GET', '/v1/webhooks')).json().data).toHaveLength(5)
    })

    it('refuses malformed JSON', async () => {
      const { client, secretKey } = await newClient()
      const response = await t.app.inject({
        method: 'POST',
        url: '/v1/webhooks',
        headers: {
          'x-client-key': client.clientKey,
          'x-secret-key': secretKey,
          'content-type': 'application/json',
        },
        payload: '{"name":',
      })
      expect(response.statusCode).toBe(400)
      expect(response.json().errorCode).toBe('MALFORMED_JSON')
    })
  })

  describe('401, 498, 499', () => {
    it('every route needs the client key and the secret key', async () => {
      const { client } = await newClient()
      for (const [method, url] of ROUTES) {
        const missing = await t.app.inject({ method, url, headers: { 'x-client-key': client.clientKey } })
        expect(missing.statusCode, `${method} ${url}`).toBe(401)
        expect(missing.json()).toEqual({ message: 'Not authenticated', errorCode: 'INVALID_SECRET_KEY' })
        const wrong = await t.app.inject({
          method,
          url,
          headers: { 'x-client-key': client.clientKey, 'x-secret-key': 'vsk_test_wrong' },
        })
        expect(wrong.statusCode, `${method} ${url}`).toBe(401)
        const unknown = await t.app.inject({ method, url, headers: { 'x-client-key': crypto.randomUUID() } })
        expect(unknown.statusCode, `${method} ${url}`).toBe(498)
        const none = await t.app.inject({ method, url })
        expect(none.statusCode, `${method} ${url}`).toBe(499)
      }
    })
  })

  describe('403', () => {
    it('a region the client is not enabled for', async () => {
      const { api } = await newClient(['intl'])
      const response = await api.request('GET', '/v1/webhooks/events?region=us')
      expect(response.statusCode).toBe(403)
      expect(response.json().errorCode).toBe('REGION_NOT_ENABLED')
    })
  })

  describe('404', () => {
    it("another client's endpoints and events do not exist for this one", async () => {
      const a = await newClient()
      const b = await newClient()
      const hook = await a.api.create(VALID)
      const userId = await insertUser(t.runtime.databases.home, a.client.id, t.clock.now())
      await changeState(t.runtime, userId, 'submitted')
      const [event] = (await a.api.request('GET', '/v1/webhooks/events')).json().data.events
      expect((await b.api.request('GET', '/v1/webhooks')).json().data).toEqual([])
      expect((await b.api.request('GET', '/v1/webhooks/events')).json().data).toEqual({
        count: 0,
        events: [],
      })
      const attempts = [
        b.api.request('GET', `/v1/webhooks/${hook.id}`),
        b.api.request('PUT', `/v1/webhooks/${hook.id}`, { name: 'taken over' }),
        b.api.request('DELETE', `/v1/webhooks/${hook.id}`),
        b.api.request('POST', `/v1/webhooks/${hook.id}/rotate-key`),
        b.api.request('GET', `/v1/webhooks/${hook.id}/logs`),
        b.api.request('POST', `/v1/webhooks/${hook.id}/test`),
        b.api.request('GET', `/v1/webhooks/events/${event.id}/logs`),
        b.api.request('GET', `/v1/webhooks/events/${event.id}/status`),
        b.api.request('POST', `/v1/webhooks/events/${event.id}/retry`),
        a.api.request('GET', '/v1/webhooks/whe_01JUNKNOWN000000000000000'),
        a.api.request('GET', '/v1/webhooks/events/not-a-uuid/status'),
      ]
      for (const response of await Promise.all(attempts)) {
        expect(response.statusCode).toBe(404)
        expect(response.json().errorCode).toBe('NOT_FOUND')
      }
      // Nothing changed for the owner.
      const own = (await a.api.request('GET', `/v1/webhooks/${hook.id}`)).json().data
      expect(own).toMatchObject({ name: 'backend', apiKey: `whk_****...****${hook.apiKey.slice(-4)}` })
    })
  })

  describe('409', () => {
    it('retry with nothing to retry', async () => {
      const { client, api } = await newClient()
      const userId = await insertUser(t.runtime.databases.home, client.id, t.clock.now())
      await changeState(t.runtime, userId, 'submitted')
      const [event] = (await api.request('GET', '/v1/webhooks/events')).json().data.events
      const response = await api.request('POST', `/v1/webhooks/events/${event.id}/retry`)
      expect(response.statusCode).toBe(409)
      expect(response.json().errorCode).toBe('NOTHING_TO_RETRY')
    })
  })

  describe('422', () => {
    it('unknown event types, bad URLs, credentials in URLs and missing fields, each named', async () => {
      const { api } = await newClient()
      const cases: Array<[Record<string, unknown>, string, RegExp]> = [
        [{ ...VALID, event_types: ['kyc.status.changd'] }, 'event_types', /unknown event type/],
        [{ ...VALID, event_types: ['card.*'] }, 'event_types', /unknown event type/],
        [{ ...VALID, event_types: [] }, 'event_types', /.+/],
        [{ ...VALID, url: 'not a url' }, 'url', /absolute/],
        [{ ...VALID, url: 'ftp://example.com/x' }, 'url', /http/],
        [{ ...VALID, url: 'https://user:pass@example.com/x' }, 'url', /credentials/],
        [{ url: VALID.url, event_types: VALID.event_types }, 'name', /.+/],
      ]
      for (const [body, field, message] of cases) {
        const response = await api.request('POST', '/v1/webhooks', body)
        expect(response.statusCode, JSON.stringify(body)).toBe(422)
        expect(response.json().errors).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ field, message: expect.stringMatching(message) }),
          ]),
        )
      }
      const { id } = await api.create(VALID)
      expect((await api.request('PUT', `/v1/webhooks/${id}`, { event_types: ['nope'] })).statusCode).toBe(422)
      expect((await api.request('PUT', `/v1/webhooks/${id}`, {})).statusCode).toBe(422)
      expect((await api.request('GET', `/v1/webhooks/${id}/logs?limit=0`)).statusCode).toBe(422)
      expect((await api.request('GET', `/v1/webhooks/${id}/logs?limit=101`)).statusCode).toBe(422)
    })
  })
})

describe.each(DIALECTS)('webhook URLs in production (%s)', (dialect) => {
  let t: TestApp
  beforeAll(async () => {
    t = await buildTestApp(dialect, {
      env: {
        NODE_ENV: 'production',
        SMTP_URL: 'smtp://127.0.0.1:2525',
        SMS_WEBHOOK_URL: 'https://sms.example.com/send',
        DEMO_CLIENT: 'false',
      },
    })
  })
  afterAll(() => t.close())

  it('a live client needs https, and private addresses are refused (422)', async () => {
    const { client, secretKey } = await t.createClient({ mode: 'live' })
    const api = management(t.app, client.clientKey, secretKey)
    const http = await api.request('POST', '/v1/webhooks', { ...VALID, url: 'http://hooks.example.com/x' })
    expect(http.statusCode).toBe(422)
    expect(http.json().errors).toEqual([{ field: 'url', message: 'must use https for a live client' }])
    for (const url of [
      'https://127.0.0.1/x',
      'https://169.254.169.254/latest',
      'https://[fd00:ec2::254]/',
      'https://10.1.2.3/',
    ]) {
      const response = await api.request('POST', '/v1/webhooks', { ...VALID, url })
      expect(response.statusCode, url).toBe(422)
      expect(response.json().errors[0].message).toMatch(/must not point to a/)
    }
    expect((await api.request('POST', '/v1/webhooks', VALID)).statusCode).toBe(201)
  })
})
