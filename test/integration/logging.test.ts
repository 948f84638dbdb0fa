import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '../../src/lib/logger.ts'
import { buildTestApp, type TestApp } from '../helpers/app.ts'
import { DIALECTS } from '../helpers/dialects.ts'

describe.each(DIALECTS)('logs and failures (%s)', (dialect) => {
  let t: TestApp
  const lines: string[] = []
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).trim().split('\n'))
      done()
    },
  })

  beforeAll(async () => {
    t = await buildTestApp(dialect, { log: createLogger('info', sink) })
  })
  afterAll(() => t.close())

  it('never writes secret keys, bearer tokens, cookies or query strings', async () => {
    const linesBefore = lines.length
    const { client, secretKey } = await t.createClient({ name: 'logged' })
    await t.app.inject({
      method: 'GET',
      url: '/v1/client?region=intl&token=url-secret-abc123',
      headers: {
        'x-client-key': client.clientKey,
        'x-secret-key': secretKey,
        authorization: 'Bearer access-token-xyz',
        cookie: 'session=cookie-secret',
      },
    })
    await t.app.inject({
      method: 'PATCH',
      url: '/v1/client',
      headers: { 'x-client-key': client.clientKey, 'x-secret-key': 'vsk_test_wrong-secret-value' },
      payload: { allowedOrigins: [] },
    })
    const log = lines.slice(linesBefore).join('\n')
    expect(log).toContain('"route":"/v1/client"')
    expect(log).toContain(`"clientId":"${client.id}"`)
    for (const secret of [
      secretKey,
      'wrong-secret-value',
      'url-secret-abc123',
      'access-token-xyz',
      'cookie-secret',
    ]) {
      expect(log).not.toContain(secret)
    }
  })

  it('answers an unexpected failure with a bare 500 and logs the cause under the request id', async () => {
    // An app of its own: it loses its home database, which no other test here should find gone.
    const doomed = await buildTestApp(dialect, { log: createLogger('info', sink) })
    const { client } = await doomed.createClient({ name: 'doomed' })
    // The home database going away mid-flight is an internal failure the client must not see details of.
    await doomed.runtime.databases.home.destroy()
    const response = await doomed.app.inject({
      method: 'GET',
      url: '/v1/client',
      headers: { 'x-client-key': client.clientKey },
    })
    await doomed.close()
    expect(response.statusCode).toBe(500)
    expect(response.json()).toEqual({ message: 'Internal server error', errorCode: 'INTERNAL_ERROR' })
    const requestId = response.headers['x-request-id'] as string
    const failure = lines
      .map((line) => JSON.parse(line))
      .find((entry) => entry.requestId === requestId && entry.level === 50)
    expect(failure).toMatchObject({ msg: 'request failed', errorCode: 'INTERNAL_ERROR' })
    expect(failure.err.stack).toBeTruthy()
  })
})
