import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'
import Fastify, { type InjectOptions } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/config.ts'
import { registerBodyDrain } from '../../src/http/body-drain.ts'
import { createLogger } from '../../src/lib/logger.ts'
import { openRuntime } from '../../src/runtime.ts'
import { api } from '../helpers/accounts.ts'
import { buildTestApp, type TestApp } from '../helpers/app.ts'
import { registerSandboxUser, startVerification } from '../helpers/capture.ts'
import { eventually } from '../helpers/databases.ts'
import { DIALECTS } from '../helpers/dialects.ts'
import { type Browser, flowClient, openLink } from '../helpers/sessions.ts'

/** Listens on a free loopback port and returns the port. */
const listen = async (t: TestApp): Promise<number> => {
  await t.app.listen({ host: '127.0.0.1', port: 0 })
  const address = t.app.server.address()
  if (address === null || typeof address === 'string') throw new Error('not listening on TCP')
  return address.port
}

/** A raw TCP client: what it received, and when the server closed the connection. */
const rawClient = (port: number) => {
  const socket: Socket = connect(port, '127.0.0.1')
  const openedAt = Date.now()
  let received = ''
  socket.setEncoding('latin1')
  socket.on('data', (chunk: string) => {
    received += chunk
  })
  socket.on('error', () => {})
  const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now() - openedAt)))
  return { socket, closed, received: () => received }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The lines of a multipart body up to a file part's content: the CSRF field, then the file's headers. */
const filePartHead = (boundary: string, csrf: string) => [
  `--${boundary}`,
  'Content-Disposition: form-data; name="csrf"',
  '',
  csrf,
  `--${boundary}`,
  'Content-Disposition: form-data; name="file"; filename="photo.jpg"',
  'Content-Type: image/jpeg',
  '',
]

describe('SQLite files are private to the server user (item 14)', () => {
  it('creates the data directory 0700 and the database files, -wal and -shm included, 0600', async () => {
    const parent = mkdtempSync(path.join(tmpdir(), 'verity-modes-'))
    const dataDir = path.join(parent, 'data')
    try {
      const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent' })
      const runtime = await openRuntime(config, { log: createLogger('silent') })
      try {
        expect(statSync(dataDir).mode & 0o777).toBe(0o700)
        for (const region of ['intl', 'us']) {
          const file = path.join(dataDir, `verity-${region}.sqlite`)
          for (const each of [file, `${file}-wal`, `${file}-shm`])
            expect(statSync(each).mode & 0o777, each).toBe(0o600)
        }
      } finally {
        await runtime.close()
      }
    } finally {
      rmSync(parent, { recursive: true, force: true })
    }
  })
})

describe('/metrics with METRICS_TOKEN (item 18)', () => {
  const token = randomBytes(24).toString('base64url')
  let t: TestApp
  beforeAll(async () => {
    t = await buildTestApp('sqlite', { env: { METRICS_TOKEN: token } })
  })
  afterAll(() => t.close())

  const scrape = (authorization?: string) =>
    t.app.inject({ method: 'GET', url: '/metrics', headers: authorization ? { authorization } : {} })

  it('answers 401 without the token or with a wrong one', async () => {
    for (const authorization of [
      undefined,
      `Bearer ${token}x`,
      `Bearer ${token.slice(1)}`,
      token,
      'Bearer ',
    ]) {
      const response = await scrape(authorization)
      expect(response.statusCode, String(authorization)).toBe(401)
      expect(response.json(), String(authorization)).toEqual({
        message: 'Not authenticated',
        errorCode: 'NOT_AUTHENTICATED',
      })
      expect(response.headers['www-authenticate'], String(authorization)).toBe('Bearer realm="metrics"')
      expect(response.body).not.toContain('verity_')
    }
  })

  it('answers the metrics to the bearer of the token', async () => {
    const response = await scrape(`Bearer ${token}`)
    expect(response.statusCode).toBe(200)
    expect(response.body).toContain('verity_http_request_duration_seconds')
  })

  it('stays open when no token is configured', async () => {
    const open = await buildTestApp('sqlite')
    try {
      expect((await open.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200)
    } finally {
      await open.close()
    }
  })
})

describe.each(DIALECTS)(
  'client settings refuse frame ancestors that are not origins (item 11, %s)',
  (dialect) => {
    let t: TestApp
    let sandbox: Awaited<ReturnType<TestApp['createClient']>>
    beforeAll(async () => {
      t = await buildTestApp(dialect)
      sandbox = await t.createClient()
    })
    afterAll(() => t.close())

    const patch = (frameAncestors: string[]) =>
      t.app.inject({
        method: 'PATCH',
        url: '/v1/client',
        headers: { 'x-client-key': sandbox.client.clientKey, 'x-secret-key': sandbox.secretKey },
        payload: { frameAncestors },
      })

    it('answers 422 naming the field and keeps what was stored', async () => {
      expect((await patch(['https://wallet.example.com', 'https://*.wallet.example'])).statusCode).toBe(200)
      for (const injected of ['https://a.example;base-uri', "https://a.example;script-src'unsafe-inline'"]) {
        const refused = await patch([injected])
        expect(refused.statusCode, injected).toBe(422)
        expect(refused.json()).toMatchObject({
          errorCode: 'VALIDATION_ERROR',
          errors: [{ field: 'frameAncestors', message: expect.stringContaining('not an origin') }],
        })
      }
      const stored = await t.app.inject({
        method: 'GET',
        url: '/v1/client',
        headers: { 'x-client-key': sandbox.client.clientKey, 'x-secret-key': sandbox.secretKey },
      })
      expect(stored.json().frameAncestors).toEqual(['https://wallet.example.com', 'https://*.wallet.example'])
    })
  },
)

describe.each(DIALECTS)('TRUST_PROXY as a hop count (item 10, %s)', (dialect) => {
  let t: TestApp
  let clientKey: string
  beforeAll(async () => {
    t = await buildTestApp(dialect, { env: { TRUST_PROXY: '1' } })
    clientKey = (await t.createClient()).client.clientKey
  })
  afterAll(() => t.close())

  it('a client behind one proxy cannot escape the per-address login throttle with X-Forwarded-For', async () => {
    const statuses: number[] = []
    for (let attempt = 0; attempt < 60; attempt++) {
      // What one proxy forwards: the client's own header, then the address the proxy saw.
      const forwardedFor = `198.51.100.${attempt}, 203.0.113.77`
      const response = await api(t.app, clientKey).post(
        '/v1/auth/login',
        { email: `sprayed${attempt}@example.com`, password: 'guess' },
        { 'x-forwarded-for': forwardedFor },
      )
      statuses.push(response.statusCode)
    }
    expect(statuses.slice(0, 20).every((status) => status === 401)).toBe(true)
    expect(statuses.slice(20).every((status) => status === 429)).toBe(true)
    // Another client behind the same proxy is unaffected.
    const other = await api(t.app, clientKey).post(
      '/v1/auth/login',
      { email: 'someone@example.com', password: 'guess' },
      { 'x-forwarded-for': '203.0.113.78' },
    )
    expect(other.statusCode).toBe(401)
  })
})

describe('connection timeouts (item 7)', () => {
  let t: TestApp
  let port: number
  beforeAll(async () => {
    t = await buildTestApp('sqlite', {
      env: {
        HTTP_HEADERS_TIMEOUT_MS: '1000',
        HTTP_REQUEST_TIMEOUT_MS: '2000',
        HTTP_KEEP_ALIVE_TIMEOUT_MS: '1000',
        HTTP_CONNECTION_TIMEOUT_MS: '3000',
      },
    })
    port = await listen(t)
  })
  afterAll(() => t.close())

  it('cuts off slowloris clients that dribble their headers', async () => {
    const clients = Array.from({ length: 5 }, () => rawClient(port))
    let stop = false
    const dribble = async (client: ReturnType<typeof rawClient>) => {
      client.socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n')
      for (let i = 0; !stop && !client.socket.destroyed && i < 100; i++) {
        client.socket.write(`x-pad-${i}: a\r\n`)
        await sleep(100)
      }
    }
    const dribbling = clients.map(dribble)
    const lifetimes = await Promise.all(clients.map((client) => client.closed))
    stop = true
    await Promise.all(dribbling)
    for (const [index, lifetime] of lifetimes.entries()) {
      expect(lifetime, `client ${index}`).toBeLessThan(4000)
      expect(clients[index]?.received(), `client ${index}`).toMatch(/^HTTP\/1\.1 408/)
    }
  })

  it('cuts off a client that dribbles its body', async () => {
    const client = rawClient(port)
    client.socket.write(
      'POST /v1/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n',
    )
    for (let i = 0; i < 60 && !client.socket.destroyed; i++) {
      client.socket.write(' ')
      await sleep(100)
    }
    expect(await client.closed).toBeLessThan(4500)
  })

  it('closes an idle keep-alive connection', async () => {
    const client = rawClient(port)
    client.socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n')
    const lifetime = await client.closed
    expect(client.received()).toMatch(/^HTTP\/1\.1 200/)
    expect(lifetime).toBeLessThan(2500)
  })
})

describe.each(DIALECTS)('U+0000 in any string is refused at validation (item 13, %s)', (dialect) => {
  let t: TestApp
  let sandbox: Awaited<ReturnType<TestApp['createClient']>>
  beforeAll(async () => {
    t = await buildTestApp(dialect)
    sandbox = await t.createClient()
  })
  afterAll(() => t.close())

  const nul = 'abc\u0000def'
  const key = () => ({ 'x-client-key': sandbox.client.clientKey })
  const secret = () => ({ ...key(), 'x-secret-key': sandbox.secretKey })
  const cases = (): Array<[label: string, request: InjectOptions, field: string]> => [
    [
      'login email',
      { method: 'POST', url: '/v1/auth/login', headers: key(), payload: { email: nul, password: 'x' } },
      'email',
    ],
    [
      'login OTP user id',
      { method: 'POST', url: '/v1/auth/login/otp', headers: key(), payload: { userId: nul } },
      'userId',
    ],
    [
      'onboarding status id (path)',
      { method: 'GET', url: '/v1/auth/register/status/abc%00def', headers: key() },
      'onboardingId',
    ],
    [
      'onboarding status id (query)',
      { method: 'GET', url: '/v1/auth/register?onboardingId=abc%00def', headers: key() },
      'onboardingId',
    ],
    [
      'onboarding verification',
      {
        method: 'POST',
        url: '/v1/auth/register/verification',
        headers: key(),
        payload: { onboardingId: nul },
      },
      'onboardingId',
    ],
    [
      'email code check',
      {
        method: 'POST',
        url: '/v1/auth/register/email/verify',
        headers: key(),
        payload: {
          email: 'someone@example.com',
          password: 'correct horse battery',
          verificationCode: '000000',
          contactVerificationId: nul,
          countryOfResidence: 'GB',
          allowMarketing: false,
          allowSms: false,
        },
      },
      'contactVerificationId',
    ],
    [
      'webhook event logs (path)',
      { method: 'GET', url: '/v1/webhooks/events/abc%00def/logs', headers: secret() },
      'eventId',
    ],
    ['webhook endpoint (path)', { method: 'GET', url: '/v1/webhooks/abc%00def', headers: secret() }, 'id'],
    [
      'sandbox limits (path)',
      { method: 'POST', url: '/v1/sandbox/users/abc%00def/reset-limits', headers: secret(), payload: {} },
      'userId',
    ],
    ['session link (path)', { method: 'GET', url: '/verify/abc%00def' }, 'token'],
    [
      'client return URL',
      {
        method: 'PATCH',
        url: '/v1/client',
        headers: secret(),
        payload: { returnUrl: `https://a.example/${nul}` },
      },
      'returnUrl',
    ],
    [
      'nested array item',
      {
        method: 'PATCH',
        url: '/v1/client',
        headers: secret(),
        payload: { allowedOrigins: ['https://ok.example', nul] },
      },
      'allowedOrigins.1',
    ],
  ]

  it('answers 422 VALIDATION_ERROR naming the field, never 500', async () => {
    for (const [label, request, field] of cases()) {
      const response = await t.app.inject(request)
      expect(response.statusCode, `${label}: ${response.body}`).toBe(422)
      const body = response.json()
      expect(body.errorCode, label).toBe('VALIDATION_ERROR')
      expect(body.errors, label).toContainEqual({
        field,
        message: 'must not contain the NUL character (U+0000)',
      })
    }
  })

  it('refuses it in fields the route does not read too, and keeps what was stored', async () => {
    const stored = () => t.app.inject({ method: 'GET', url: '/v1/client', headers: secret() })
    const before = (await stored()).json()
    const response = await t.app.inject({
      method: 'PATCH',
      url: '/v1/client',
      headers: secret(),
      payload: { returnUrl: 'https://wallet.example/done', extra: { note: nul } },
    })
    expect(response.statusCode).toBe(422)
    expect(response.json().errors).toEqual([
      { field: 'extra.note', message: 'must not contain the NUL character (U+0000)' },
    ])
    expect((await stored()).json()).toEqual(before)
  })
})

describe.each(DIALECTS)('malformed and aborted multipart uploads (item 12, %s)', (dialect) => {
  let t: TestApp
  let port: number
  let clientKey: string
  const lines: Array<{ level: number; msg: string; errorCode?: string }> = []
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).trim().split('\n')) lines.push(JSON.parse(line))
      done()
    },
  })
  beforeAll(async () => {
    t = await buildTestApp(dialect, { log: createLogger('info', sink) })
    clientKey = (await t.createClient()).client.clientKey
    port = await listen(t)
  })
  afterAll(() => t.close())

  /** A browser holding a claimed session, at the front photo step. */
  const atFrontStep = async () => {
    const user = await registerSandboxUser(t, clientKey)
    const browser: Browser = {}
    expect((await openLink(t.app, await startVerification(t, clientKey, user), browser)).statusCode).toBe(303)
    const flow = flowClient(t.app, browser)
    await flow.form('consent', { csrf: await flow.token('consent'), consent: 'yes' })
    await flow.form('document', {
      csrf: await flow.token('document'),
      documentType: 'passport',
      issuingCountry: 'GB',
    })
    return { browser, csrf: await flow.token('front'), cookie: browser.cookie as string }
  }

  const upload = (cookie: string, contentType: string, payload: string) =>
    t.app.inject({
      method: 'POST',
      url: '/verify/upload/front',
      headers: { cookie, 'content-type': contentType, accept: 'application/json' },
      payload,
    })
  /** Errors logged since `since` (a count of lines): each test judges only what it caused. */
  const errorsLoggedSince = (since: number) => lines.slice(since).filter((line) => line.level >= 50)

  it('answers 400 BAD_REQUEST to a multipart body without a boundary', async () => {
    const before = lines.length
    const { cookie } = await atFrontStep()
    const response = await upload(cookie, 'multipart/form-data', 'csrf=x')
    expect(response.statusCode).toBe(400)
    expect(response.json()).toMatchObject({ errorCode: 'BAD_REQUEST' })
    expect(errorsLoggedSince(before)).toEqual([])
  })

  it('answers 415 UNSUPPORTED_MEDIA_TYPE to an upload that is not multipart at all', async () => {
    const { cookie } = await atFrontStep()
    const response = await upload(cookie, 'application/json', '{"file":"not a photo"}')
    expect(response.statusCode).toBe(415)
    expect(response.json()).toMatchObject({ errorCode: 'UNSUPPORTED_MEDIA_TYPE' })
  })

  it('answers 400 BAD_REQUEST to a truncated multipart body', async () => {
    const before = lines.length
    const { cookie, csrf } = await atFrontStep()
    const boundary = 'verityboundary'
    const truncated = [...filePartHead(boundary, csrf), '\xff\xd8\xff\xe0 half a photo'].join('\r\n')
    const response = await upload(cookie, `multipart/form-data; boundary=${boundary}`, truncated)
    expect(response.statusCode).toBe(400)
    expect(response.json()).toMatchObject({ errorCode: 'BAD_REQUEST' })
    expect(errorsLoggedSince(before)).toEqual([])
  })

  it('does not log an upload the client aborted as an error', async () => {
    const { cookie, csrf } = await atFrontStep()
    const boundary = 'verityboundary'
    const head = [...filePartHead(boundary, csrf), ''].join('\r\n')
    const before = lines.length
    const client = rawClient(port)
    client.socket.write(
      `POST /verify/upload/front HTTP/1.1\r\nHost: localhost\r\nCookie: ${cookie}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: 1000000\r\n\r\n${head}`,
    )
    client.socket.write(Buffer.alloc(64 * 1024, 0xff))
    await sleep(200)
    client.socket.destroy()
    // The handler's verdict is logged with an errorCode either way: as an error today, as a rejection after.
    await eventually(() => expect(lines.slice(before).some((line) => line.errorCode)).toBe(true), 5000)
    expect(lines.slice(before).filter((line) => line.level >= 50)).toEqual([])
  })
})

/**
 * Sends the whole request before it reads anything, as many browsers do with a form upload: if the
 * server closes while the body is still arriving, the writes fail and the answer is never seen.
 */
const sendWholeBody = (
  port: number,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
): Promise<{ status: number; body: string } | { error: string }> =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.pause()
    let received = ''
    socket.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }))
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1')
    })
    socket.on('end', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0)
      resolve({ status, body: received.slice(received.indexOf('\r\n\r\n') + 4) })
    })
    const head = Object.entries({
      host: 'localhost',
      connection: 'close',
      ...headers,
      'content-length': String(body.length),
    })
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('')
    socket.write(`POST ${path} HTTP/1.1\r\n${head}\r\n`)
    socket.end(body, () => socket.resume())
  })

describe('an oversized body gets its 413, not a reset connection (item 19)', () => {
  let t: TestApp
  let port: number
  let sandbox: Awaited<ReturnType<TestApp['createClient']>>
  beforeAll(async () => {
    t = await buildTestApp('sqlite')
    sandbox = await t.createClient()
    port = await listen(t)
  })
  afterAll(() => t.close())

  it('answers every 5 MB JSON login body with the 413, under concurrency', async () => {
    const body = Buffer.from(
      JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(5 * 1024 * 1024) }),
    )
    const outcomes = []
    for (let round = 0; round < 4; round++) {
      outcomes.push(
        ...(await Promise.all(
          Array.from({ length: 6 }, () =>
            sendWholeBody(
              port,
              '/v1/auth/login',
              { 'content-type': 'application/json', 'x-client-key': sandbox.client.clientKey },
              body,
            ),
          ),
        )),
      )
    }
    for (const outcome of outcomes) {
      expect(outcome).toEqual({ status: 413, body: expect.stringContaining('PAYLOAD_TOO_LARGE') })
    }
  })

  it('answers a 20 MB photo upload with the 413 page', async () => {
    const user = await registerSandboxUser(t, sandbox.client.clientKey)
    const browser: Browser = {}
    await openLink(t.app, await startVerification(t, sandbox.client.clientKey, user), browser)
    const flow = flowClient(t.app, browser)
    await flow.form('consent', { csrf: await flow.token('consent'), consent: 'yes' })
    await flow.form('document', {
      csrf: await flow.token('document'),
      documentType: 'passport',
      issuingCountry: 'GB',
    })
    const csrf = await flow.token('front')
    const form = new FormData()
    form.append('csrf', csrf)
    form.append('file', new Blob([new Uint8Array(20 * 1024 * 1024).fill(0xff)]), 'photo.jpg')
    const encoded = new Request('http://localhost/', { method: 'POST', body: form })
    const body = Buffer.from(await encoded.arrayBuffer())
    const headers = {
      cookie: browser.cookie as string,
      'content-type': encoded.headers.get('content-type') as string,
    }
    const outcomes = await Promise.all(
      Array.from({ length: 3 }, () => sendWholeBody(port, '/verify/upload/front', headers, body)),
    )
    for (const outcome of outcomes) expect(outcome).toMatchObject({ status: 413 })
  })
})

describe('the drain after an early answer is bounded (item 19)', () => {
  it('destroys the connection of a client that keeps sending past the byte or time limit', async () => {
    const app = Fastify()
    registerBodyDrain(app, { maxBytes: 256 * 1024, maxMs: 800 })
    app.post('/early', async (_request, reply) => reply.code(413).send({ error: 'too large' }))
    app.removeAllContentTypeParsers()
    app.addContentTypeParser('*', (_request, _payload, done) => done(null))
    await app.listen({ host: '127.0.0.1', port: 0 })
    const { port } = app.server.address() as { port: number }
    try {
      // Past the byte limit at once.
      const flood = rawClient(port)
      flood.socket.write(
        'POST /early HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/octet-stream\r\nContent-Length: 100000000\r\n\r\n',
      )
      for (let i = 0; i < 64 && !flood.socket.destroyed; i++) {
        flood.socket.write(Buffer.alloc(16 * 1024))
        await sleep(1)
      }
      expect(await flood.closed).toBeLessThan(700)
      expect(flood.received()).toMatch(/^HTTP\/1\.1 413/)
      // Slowly, within the bytes but past the time limit.
      const trickle = rawClient(port)
      trickle.socket.write(
        'POST /early HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\n',
      )
      for (let i = 0; i < 40 && !trickle.socket.destroyed; i++) {
        trickle.socket.write('x')
        await sleep(50)
      }
      const lifetime = await trickle.closed
      expect(lifetime).toBeGreaterThanOrEqual(750)
      expect(lifetime).toBeLessThan(1500)
    } finally {
      await app.close()
    }
  })
})
