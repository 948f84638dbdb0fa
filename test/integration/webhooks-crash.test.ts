import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../helpers/app.ts'
import { eventually } from '../helpers/databases.ts'
import { DIALECTS } from '../helpers/dialects.ts'
import { baanxValid, changeState, insertUser, management, startReceiver } from '../helpers/webhooks.ts'

const LEASE_MS = 1_500

describe.each(DIALECTS)('a worker process killed before a delivery was recorded (%s)', (dialect) => {
  const secret = randomBytes(32).toString('base64')
  let t: TestApp
  const children: ChildProcess[] = []
  beforeEach(async () => {
    // No in-process worker: only the child processes deliver.
    t = await buildTestApp(dialect, { env: { SERVER_SECRET: secret } })
  })
  afterEach(async () => {
    for (const child of children.splice(0))
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await t.close()
  })

  /** `verity worker`, the real command, on the test's databases. */
  const startWorker = () => {
    const child = spawn(process.execPath, ['bin/verity.js', 'worker'], {
      env: {
        ...process.env,
        ...t.storage.env,
        NODE_ENV: 'test',
        DATA_DIR: t.storage.dataDir,
        SERVER_SECRET: secret,
        LOG_LEVEL: 'silent',
        JOB_VISIBILITY_TIMEOUT_MS: String(LEASE_MS),
        JOB_POLL_INTERVAL_MS: '20',
      },
      stdio: 'inherit',
    })
    children.push(child)
    return child
  }

  it('delivers the event after a restart, with the same event id', async () => {
    // The first request is left hanging: the worker that sent it is killed before it hears back.
    const receiver = await startReceiver((_request, index, response) => {
      if (index > 0) response.writeHead(200).end()
    })
    try {
      const { client, secretKey } = await t.createClient()
      const api = management(t.app, client.clientKey, secretKey)
      const hook = await api.create({
        name: 'backend',
        url: receiver.url,
        event_types: ['kyc.*'],
        is_active: true,
      })
      const userId = await insertUser(t.runtime.databases.home, client.id, t.clock.now())
      // The state change commits with its event; no worker has run yet.
      await changeState(t.runtime, userId, 'submitted')

      const first = startWorker()
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        first.on('exit', (_code, signal) => resolve(signal)),
      )
      await eventually(() => expect(receiver.deliveries).toHaveLength(1), 20_000)
      first.kill('SIGKILL')
      expect(await exited).toBe('SIGKILL')
      const [event] = (await api.request('GET', '/v1/webhooks/events')).json().data.events
      expect((await api.request('GET', `/v1/webhooks/events/${event.id}/status`)).json().data).toMatchObject({
        status: 'pending',
        deliveries: [{ status: 'pending', attempts: 0 }],
      })

      startWorker()
      await eventually(() => expect(receiver.deliveries).toHaveLength(2), 20_000)
      const [lost, resent] = receiver.deliveries
      expect(resent?.headers['webhook-id']).toBe(event.id)
      expect(resent?.headers['webhook-id']).toBe(lost?.headers['webhook-id'])
      expect(resent?.body).toBe(lost?.body)
      expect(baanxValid(hook.apiKey, resent?.headers ?? {}, resent?.body ?? '')).toBe(true)
      await eventually(async () =>
        expect(
          (await api.request('GET', `/v1/webhooks/events/${event.id}/status`)).json().data,
        ).toMatchObject({
          status: 'delivered',
          deliveries: [{ status: 'success', attempts: 1, lastResponseStatus: 200 }],
        }),
      )
    } finally {
      await receiver.close()
    }
  })
})
