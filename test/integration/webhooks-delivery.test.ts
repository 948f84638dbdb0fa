import { Webhook } from 'standardwebhooks'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { disableClient } from '../../src/modules/clients/index.ts'
import { submitSession } from '../../src/modules/verification/index.ts'
import { RETRY_DELAYS_MS } from '../../src/modules/webhooks/index.ts'
import { api as clientApi, register } from '../helpers/accounts.ts'
import { buildTestApp, TEST_ACTOR, type TestApp } from '../helpers/app.ts'
import { eventually } from '../helpers/databases.ts'
import { DIALECTS } from '../helpers/dialects.ts'
import { openLink } from '../helpers/sessions.ts'
import {
  answer,
  baanxValid,
  changeState,
  type Delivery,
  insertUser,
  management,
  standardVerify,
  startReceiver,
} from '../helpers/webhooks.ts'

const TIMEOUT_MS = 500
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The Standard Webhooks signatures a delivery should carry for this secret (no clock check). */
const standardSignature = (secret: string, delivery: Delivery) =>
  new Webhook(secret).sign(
    String(delivery.headers['webhook-id']),
    new Date(Number(delivery.headers['webhook-timestamp']) * 1000),
    delivery.body,
  )

describe.each(DIALECTS)('webhook delivery (%s)', (dialect) => {
  let t: TestApp
  const receivers: Array<Awaited<ReturnType<typeof startReceiver>>> = []
  beforeAll(async () => {
    // One job at a time: a delivery that hung the worker would stop every other test's deliveries.
    t = await buildTestApp(dialect, {
      worker: true,
      env: { WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS), WORKER_CONCURRENCY: '1' },
    })
  })
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((receiver) => receiver.close()))
  })
  afterAll(() => t.close())

  const receiver = async (...args: Parameters<typeof startReceiver>) => {
    const started = await startReceiver(...args)
    receivers.push(started)
    return started
  }

  /** A client with one active endpoint pointing at a fresh receiver. */
  const setup = async (behaviour = answer(200), eventTypes = ['*']) => {
    const { client, secretKey } = await t.createClient({ regions: ['intl', 'us'] })
    const api = management(t.app, client.clientKey, secretKey)
    const target = await receiver(behaviour)
    const hook = await api.create({
      name: 'backend',
      url: target.url,
      event_types: eventTypes,
      is_active: true,
    })
    return { client, api, target, hook }
  }
  const submitted = async (clientId: string) => {
    const userId = await insertUser(t.runtime.databases.home, clientId, t.clock.now())
    await changeState(t.runtime, userId, 'submitted')
    return userId
  }
  /**
   * No job is running: a failed attempt's retry is scheduled from the clock when the job finishes, so the
   * clock may only move once the worker has finished with it (its log appears a moment earlier).
   */
  const workerIdle = () =>
    eventually(async () => {
      for (const database of t.runtime.databases.all) {
        const running = await database.db
          .selectFrom('job')
          .select('type')
          .where('status', '=', 'running')
          .execute()
        expect(running).toEqual([])
      }
    })
  const delivered = (target: { deliveries: Delivery[] }, count: number) =>
    eventually(() => expect(target.deliveries).toHaveLength(count))
  const statusOf = async (api: ReturnType<typeof management>, eventId: string) =>
    (await api.request('GET', `/v1/webhooks/events/${eventId}/status`)).json().data

  it('delivers both event types, each verifiable with standardwebhooks and with the Baanx recipe', async () => {
    // standardwebhooks refuses a timestamp more than 5 minutes from the real time, and other tests move
    // the manual clock on by days: the deliveries here are signed at the real time, whatever ran before.
    t.clock.set(Date.now())
    const { client, api, target, hook } = await setup()
    const users = await receiver()
    const kyc = await receiver()
    await api.create({ name: 'users', url: users.url, event_types: ['user.*'], is_active: true })
    await api.create({ name: 'kyc', url: kyc.url, event_types: ['kyc.status.changed'], is_active: true })
    const userId = await submitted(client.id)
    await changeState(t.runtime, userId, 'REJECTED')
    await delivered(target, 3)
    await delivered(users, 1)
    await delivered(kyc, 2)

    for (const delivery of target.deliveries) {
      const label = `delivery ${delivery.headers['webhook-id']}`
      expect(delivery.headers['content-type'], label).toBe('application/json')
      expect(standardVerify(hook.standardWebhooksSecret, delivery), label).toEqual(JSON.parse(delivery.body))
      expect(baanxValid(hook.apiKey, delivery.headers, delivery.body), label).toBe(true)
      expect(
        baanxValid(hook.apiKey, { ...delivery.headers, 'x-timestamp': '1' }, delivery.body),
        `${label}, forged timestamp`,
      ).toBe(false)
      expect(delivery.headers['x-timestamp'], label).toBe(delivery.headers['webhook-timestamp'])
      expect(delivery.headers, label).not.toHaveProperty('x-signature-previous')
    }
    const bodies = target.deliveries.map((delivery) => JSON.parse(delivery.body))
    const byType = (type: string) => bodies.filter((body) => (body.event_type ?? body.event) === type)
    const [toPending, toFailed] = byType('kyc.status.changed').sort((a, b) =>
      a.event_object_status === 'pending' ? -1 : b.event_object_status === 'pending' ? 1 : 0,
    )
    expect(toPending).toMatchObject({
      event_object_changes: { status: ['unverified', 'pending'] },
      event_object: { status: 'pending', failure_code: null, failure_reason: null },
    })
    expect(toFailed).toEqual({
      api_version: 'v1',
      event_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      event_category: 'kyc',
      event_type: 'kyc.status.changed',
      user_id: userId,
      event_object_id: userId,
      event_object_status: 'failed',
      event_object_changes: { status: ['pending', 'failed'] },
      event_object: {
        status: 'failed',
        failure_code: '103',
        failure_reason: 'The face in the selfie does not match the document photo.',
      },
      occurred_at: new Date(t.clock.now()).toISOString(),
    })
    const [completed] = byType('user.verification.completed')
    expect(completed).toEqual({
      event: 'user.verification.completed',
      eventId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      userId,
      verificationState: 'REJECTED',
      previousState: 'PENDING',
      stateVersion: 2,
      reasons: [
        {
          code: 'FACE_MISMATCH',
          category: 'selfie',
          retryable: false,
          failureCode: '103',
          message: 'The face in the selfie does not match the document photo.',
        },
      ],
      timestamp: new Date(t.clock.now()).toISOString(),
    })
    // webhook-id is the event id, the receivers' idempotency key.
    for (const delivery of target.deliveries) {
      const body = JSON.parse(delivery.body)
      expect(delivery.headers['webhook-id']).toBe(body.event_id ?? body.eventId)
    }
    expect(JSON.parse(users.deliveries[0]?.body ?? '').event).toBe('user.verification.completed')
  })

  it('retries a 500 after 1 s with the same event id, then records both attempts', async () => {
    const { client, api, target, hook } = await setup((_request, index, response) =>
      response.writeHead(index === 0 ? 500 : 200).end(index === 0 ? 'upstream broke' : 'ok'),
    )
    await submitted(client.id)
    await delivered(target, 1)
    const [event] = (await api.request('GET', '/v1/webhooks/events')).json().data.events
    const first = await eventually(async () => {
      const status = await statusOf(api, event.id)
      expect(status.deliveries[0]).toMatchObject({ status: 'pending', attempts: 1, lastResponseStatus: 500 })
      return status
    })
    expect(Date.parse(first.deliveries[0].nextRetryAt) - t.clock.now()).toBeLessThanOrEqual(
      RETRY_DELAYS_MS[0],
    )
    await pause(100)
    expect(target.deliveries).toHaveLength(1)
    await workerIdle()
    t.clock.advance(RETRY_DELAYS_MS[0])
    await delivered(target, 2)
    expect(target.deliveries[1]?.headers['webhook-id']).toBe(target.deliveries[0]?.headers['webhook-id'])
    expect(target.deliveries[1]?.body).toBe(target.deliveries[0]?.body)
    await eventually(async () => expect((await statusOf(api, event.id)).status).toBe('delivered'))
    const logs = (await api.request('GET', `/v1/webhooks/${hook.id}/logs`)).json().data
    expect(logs.count).toBe(2)
    expect(logs.logs.map((log: { attemptNumber: number }) => log.attemptNumber)).toEqual([2, 1])
    expect(logs.logs[1]).toMatchObject({
      eventId: event.id,
      webhookId: hook.id,
      requestUrl: target.url,
      requestBody: target.deliveries[0]?.body,
      responseStatus: 500,
      responseBody: 'upstream broke',
      deliveryStatus: 'failed',
      errorMessage: null,
    })
    expect(logs.logs[0]).toMatchObject({ responseStatus: 200, deliveryStatus: 'success', nextRetryAt: null })
    expect(logs.logs[1].requestHeaders['x-signature']).toBe(target.deliveries[0]?.headers['x-signature'])
    expect(JSON.stringify(logs)).not.toContain(hook.apiKey)
    const eventLogs = (await api.request('GET', `/v1/webhooks/events/${event.id}/logs`)).json().data
    expect(eventLogs.count).toBe(2)
  })

  it('does not retry a 400; a retry asked for through the API sends it again', async () => {
    const { client, api, target } = await setup(answer(400, {}, 'bad'))
    await submitted(client.id)
    await delivered(target, 1)
    const [event] = (await api.request('GET', '/v1/webhooks/events')).json().data.events
    await eventually(async () => expect((await statusOf(api, event.id)).status).toBe('failed'))
    await workerIdle()
    t.clock.advance(60 * 60 * 1000)
    await pause(200)
    expect(target.deliveries).toHaveLength(1)

    target.behaviour = answer(204)
    const retried = await api.request('POST', `/v1/webhooks/events/${event.id}/retry`)
    expect(retried.statusCode).toBe(200)
    expect(retried.json().data.status).toBe('pending')
    await delivered(target, 2)
    await eventually(async () =>
      expect(await statusOf(api, event.id)).toMatchObject({
        status: 'delivered',
        deliveries: [{ status: 'success', attempts: 2, lastResponseStatus: 204 }],
      }),
    )
  })

  it('disables the endpoint on 410 Gone and says why', async () => {
    const { client, api, target, hook } = await setup(answer(410))
    await submitted(client.id)
    await delivered(target, 1)
    const shown = await eventually(async () => {
      const data = (await api.request('GET', `/v1/webhooks/${hook.id}`)).json().data
      expect(data.status).toBe('disabled')
      return data
    })
    expect(shown).toMatchObject({ isActive: false, disabledReason: 'The endpoint answered 410 Gone' })
    await workerIdle()
    t.clock.advance(1)
    await submitted(client.id)
    await eventually(async () => {
      const [latest] = (await api.request('GET', '/v1/webhooks/events')).json().data.events
      expect(latest.status).toBe('no_endpoints')
    })
    expect(target.deliveries).toHaveLength(1)
    // Activating it again clears the reason.
    const resumed = await api.request('PUT', `/v1/webhooks/${hook.id}`, { is_active: true })
    expect(resumed.json().data).toMatchObject({ status: 'active', disabledReason: null })
  })

  it('waits as long as a 429 Retry-After asks', async () => {
    const { client, target } = await setup((_request, index, response) =>
      index === 0 ? response.writeHead(429, { 'retry-after': '120' }).end() : response.writeHead(200).end(),
    )
    await submitted(client.id)
    await delivered(target, 1)
    await pause(100)
    await workerIdle()
    t.clock.advance(60_000)
    await pause(200)
    expect(target.deliveries).toHaveLength(1)
    await workerIdle()
    t.clock.advance(60_000)
    await delivered(target, 2)
  })

  it('gives up on a receiver that never answers after the timeout, and the queue keeps moving', async () => {
    const { client, api, target, hook } = await setup(() => {})
    const healthy = await receiver()
    await api.create({ name: 'healthy', url: healthy.url, event_types: ['*'], is_active: true })
    await submitted(client.id)
    await delivered(target, 1)
    // One worker slot: the second endpoint only gets its delivery if the first one let go.
    await delivered(healthy, 1)
    const [log] = await eventually(async () => {
      const logs = (await api.request('GET', `/v1/webhooks/${hook.id}/logs`)).json().data.logs
      expect(logs).toHaveLength(1)
      return logs
    })
    expect(log).toMatchObject({ responseStatus: null, errorMessage: `timed out after ${TIMEOUT_MS} ms` })
    expect(log.durationMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 5)
    expect(log.durationMs).toBeLessThan(TIMEOUT_MS + 1500)
    expect(log.nextRetryAt).not.toBeNull()
  })

  it('reads only an excerpt of a 100 MB answer', async () => {
    let written = 0
    let closedAt = 0
    const { client, api, hook } = await setup((_request, _index, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' })
      const chunk = Buffer.alloc(64 * 1024, 'a')
      const total = 100 * 1024 * 1024
      const pump = () => {
        while (written < total && !response.destroyed) {
          written += chunk.length
          if (!response.write(chunk)) return void response.once('drain', pump)
        }
        if (written >= total) response.end()
      }
      response.on('close', () => {
        closedAt = written
      })
      pump()
    })
    await submitted(client.id)
    const [log] = await eventually(async () => {
      const logs = (await api.request('GET', `/v1/webhooks/${hook.id}/logs`)).json().data.logs
      expect(logs).toHaveLength(1)
      return logs
    })
    expect(log).toMatchObject({ responseStatus: 200, deliveryStatus: 'success' })
    expect(log.responseBody).toHaveLength(4096)
    await eventually(() => expect(closedAt).toBeGreaterThan(0))
    // The connection was dropped long before the 100 MB were sent.
    expect(closedAt).toBeLessThan(16 * 1024 * 1024)
  })

  it('does not follow a redirect: a 3xx is a failed attempt, not retried', async () => {
    const elsewhere = await receiver()
    const { client, api, target, hook } = await setup(answer(302, { location: elsewhere.url }))
    await submitted(client.id)
    await delivered(target, 1)
    await eventually(async () => {
      const [log] = (await api.request('GET', `/v1/webhooks/${hook.id}/logs`)).json().data.logs
      expect(log).toMatchObject({ responseStatus: 302, deliveryStatus: 'failed', nextRetryAt: null })
    })
    expect(elsewhere.deliveries).toHaveLength(0)
  })

  it('signs with both keys for 24 h after a rotation, then with the new one only', async () => {
    const { client, api, target, hook } = await setup()
    const rotated = (await api.request('POST', `/v1/webhooks/${hook.id}/rotate-key`)).json().data
    await submitted(client.id)
    await delivered(target, 1)
    const during = target.deliveries[0] as Delivery
    // Earlier tests moved the clock ahead of real time, which the library's own timestamp check reads:
    // compare the signatures it computes instead.
    expect(String(during.headers['webhook-signature']).split(' ')).toEqual([
      standardSignature(rotated.standardWebhooksSecret, during),
      standardSignature(hook.standardWebhooksSecret, during),
    ])
    expect(baanxValid(rotated.apiKey, during.headers, during.body)).toBe(true)
    expect(baanxValid(hook.apiKey, during.headers, during.body, 'x-signature-previous')).toBe(true)

    await workerIdle()

    t.clock.advance(24 * 60 * 60 * 1000 + 1000)
    await submitted(client.id)
    await delivered(target, 2)
    const after = target.deliveries[1] as Delivery
    expect(after.headers['webhook-signature']).toBe(standardSignature(rotated.standardWebhooksSecret, after))
    expect(after.headers['webhook-signature']).not.toContain(
      standardSignature(hook.standardWebhooksSecret, after),
    )
    expect(after.headers).not.toHaveProperty('x-signature-previous')
    expect(baanxValid(rotated.apiKey, after.headers, after.body)).toBe(true)
    expect(baanxValid(hook.apiKey, after.headers, after.body)).toBe(false)
  })

  it('disables an endpoint whose every attempt failed for 3 days, and stops retrying', async () => {
    const { client, api, target, hook } = await setup(answer(503))
    await submitted(client.id)
    await delivered(target, 1)
    for (const [index, delay] of RETRY_DELAYS_MS.entries()) {
      // The attempt must be recorded (and its retry scheduled) before the clock moves on.
      await eventually(async () =>
        expect((await api.request('GET', `/v1/webhooks/${hook.id}/logs`)).json().data.count).toBe(index + 1),
      )
      await workerIdle()
      t.clock.advance(delay)
      await delivered(target, index + 2)
    }
    const shown = await eventually(async () => {
      const data = (await api.request('GET', `/v1/webhooks/${hook.id}`)).json().data
      expect(data.status).toBe('disabled')
      return data
    })
    expect(shown.disabledReason).toMatch(/^Every delivery attempt failed since \d{4}-/)
    const [event] = (await api.request('GET', '/v1/webhooks/events')).json().data.events
    expect((await statusOf(api, event.id)).deliveries[0]).toMatchObject({
      status: 'failed',
      attempts: RETRY_DELAYS_MS.length + 1,
      nextRetryAt: null,
    })
  })

  it('sends nothing for a client disabled after the event; the delivery says why', async () => {
    const { client, target } = await setup()
    await disableClient(t.runtime, client.id, TEST_ACTOR)
    await submitted(client.id)
    const failed = await eventually(async () => {
      const delivery = await t.runtime.databases.home.db
        .selectFrom('webhook_delivery')
        .selectAll()
        .where('client_id', '=', client.id)
        .executeTakeFirstOrThrow()
      expect(delivery.status).toBe('failed')
      return delivery
    })
    expect(failed.last_error).toBe('endpoint deleted or client disabled')
    expect(target.deliveries).toEqual([])
  })

  it('keeps attempt logs 7 days, events longer', async () => {
    const { client, api, target, hook } = await setup()
    await submitted(client.id)
    await delivered(target, 1)
    await eventually(async () =>
      expect((await api.request('GET', `/v1/webhooks/${hook.id}/logs`)).json().data.count).toBe(1),
    )
    // The worker's hourly cleanup runs in the first slot after the clock moves.
    await workerIdle()
    t.clock.advance(7 * 24 * 60 * 60 * 1000 + 1)
    await eventually(async () =>
      expect((await api.request('GET', `/v1/webhooks/${hook.id}/logs`)).json().data.count).toBe(0),
    )
    expect((await api.request('GET', '/v1/webhooks/events')).json().data.count).toBe(1)
  })

  it('a sandbox decision in the us region produces both events there, delivered', async () => {
    const { client, api, target } = await setup()
    const registered = await register(
      t.app,
      client.clientKey,
      { email: async () => '000000', sms: async () => '000000' },
      {
        email: 'hooks-us@example.com',
        password: 'correct horse battery',
        region: 'us',
        country: 'US',
        phone: { countryCode: '+1', number: '2015550123', e164: '+12015550123' },
        ssn: '123-45-6789',
        usState: 'NY',
      },
    )
    const us = t.runtime.databases.byRegion.us
    await us.db
      .updateTable('app_user')
      .set({ first_name: 'Test', last_name: 'Approved' })
      .where('id', '=', registered.user.id)
      .execute()
    const session = (
      await clientApi(t.app, client.clientKey, 'us').get('/v1/user/verification', {
        authorization: `Bearer ${registered.accessToken}`,
      })
    ).json()
    expect((await openLink(t.app, session.sessionUrl)).statusCode).toBe(303)
    await submitSession(t.runtime, us, session.sessionId, true)
    await delivered(target, 3)
    // At least once: under load a slow answer may be retried, so the same event can arrive twice.
    const byEvent = new Map(
      target.deliveries.map((delivery) => {
        const body = JSON.parse(delivery.body)
        return [body.event_id ?? body.eventId, body] as const
      }),
    )
    const bodies = [...byEvent.values()]
    expect(bodies.map((body) => body.event_object_status ?? body.verificationState).sort()).toEqual([
      'VERIFIED',
      'completed',
      'pending',
    ])
    for (const body of bodies) expect(body.user_id ?? body.userId).toBe(registered.user.id)
    // The events live in the us database only, and are listed for requests routed there.
    const usEvents = (await api.request('GET', '/v1/webhooks/events?region=us')).json().data
    expect(usEvents.count).toBe(3)
    expect((await api.request('GET', '/v1/webhooks/events')).json().data.count).toBe(0)
    const intlRows = await t.runtime.databases.home.db
      .selectFrom('webhook_event')
      .select('id')
      .where('user_id', '=', registered.user.id)
      .execute()
    expect(intlRows).toEqual([])
  })
})

describe.each(DIALECTS)('webhook delivery to private networks, when not allowed (%s)', (dialect) => {
  let t: TestApp
  beforeAll(async () => {
    t = await buildTestApp(dialect, { worker: true, env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'false' } })
  })
  afterAll(() => t.close())

  it('refuses a loopback address at configuration, and a name resolving to one at send time', async () => {
    const target = await startReceiver()
    try {
      const { client, secretKey } = await t.createClient()
      const api = management(t.app, client.clientKey, secretKey)
      const literal = await api.request('POST', '/v1/webhooks', {
        name: 'literal',
        url: target.url,
        event_types: ['*'],
        is_active: true,
      })
      expect(literal.statusCode).toBe(422)
      expect(literal.json().errors).toEqual([
        { field: 'url', message: 'must not point to a loopback address' },
      ])
      const hook = await api.create({
        name: 'by name',
        url: `http://localhost:${target.port}/hooks`,
        event_types: ['*'],
        is_active: true,
      })
      const userId = await insertUser(t.runtime.databases.home, client.id, t.clock.now())
      await changeState(t.runtime, userId, 'submitted')
      const [log] = await eventually(async () => {
        const logs = (await api.request('GET', `/v1/webhooks/${hook.id}/logs`)).json().data.logs
        expect(logs).toHaveLength(1)
        return logs
      })
      expect(log).toMatchObject({ responseStatus: null, deliveryStatus: 'failed', nextRetryAt: null })
      expect(log.errorMessage).toMatch(/^refused: localhost resolves to a loopback address/)
      expect(target.deliveries).toHaveLength(0)
    } finally {
      await target.close()
    }
  })
})
