/**
 * Webhook delivery, measured in one process the way `verity serve` runs it (API work and an in-process
 * worker woken by the commit): a local receiver on loopback, one endpoint subscribed to `*`.
 * - throughput: DELIVERIES users change state in one transaction, so that the worker sees none of the
 *   backlog until it commits; then deliveries per second from that commit until the receiver has them
 *   all (each one a delivery job, written with the state change). The worker is started and prepared
 *   (its check models loaded, as in a server that has been up) before: loading them takes seconds of
 *   both cores, which is the start's cost, not the delivery rate's.
 * - latency: LATENCY_SAMPLES state changes one after another; time from the commit to the receiver
 *   getting the first attempt.
 */
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { loadConfig } from '../src/config/config.ts'
import type { Dialect } from '../src/db/database.ts'
import { createLogger } from '../src/lib/logger.ts'
import { createClient } from '../src/modules/clients/index.ts'
import { newUserRow } from '../src/modules/users/index.ts'
import { applyVerificationEvent } from '../src/modules/verification/index.ts'
import { createEndpoint } from '../src/modules/webhooks/index.ts'
import { createWorker, openRuntime } from '../src/runtime.ts'
import { createTestDatabaseTargets } from '../test/helpers/dialects.ts'

const DELIVERIES = Number(process.env.BENCH_WEBHOOK_DELIVERIES ?? 3000)
const LATENCY_SAMPLES = Number(process.env.BENCH_WEBHOOK_SAMPLES ?? 200)
export const WEBHOOK_CONCURRENCY = Number(process.env.BENCH_WEBHOOK_CONCURRENCY ?? 16)

export type WebhookMeasured = {
  dialect: Dialect
  deliveries: number
  perSecond: number
  /** This process's CPU time (all threads) per delivery while draining the backlog: steadier than the rate on a shared machine. */
  cpuMsPerDelivery: number
  samples: number
  p50: number
  p95: number
  max: number
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number

export const benchWebhooks = async (dialect: Dialect, postgresUrl: string): Promise<WebhookMeasured> => {
  const storage = await createTestDatabaseTargets(dialect, postgresUrl)
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: storage.dataDir,
    SERVER_SECRET: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'warn',
    WORKER_CONCURRENCY: String(WEBHOOK_CONCURRENCY),
    ...storage.env,
  })
  const runtime = await openRuntime(config, { log: createLogger('warn') })
  // The receiver notes when each user's first delivery arrives.
  const arrivals = new Map<string, number>()
  const waiters = new Map<string, () => void>()
  let received = 0
  const receiver = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      received += 1
      const userId = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { user_id: string }).user_id
      if (!arrivals.has(userId)) arrivals.set(userId, performance.now())
      waiters.get(userId)?.()
      response.writeHead(204).end()
    })
  })
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  const worker = createWorker(runtime)
  try {
    const { client } = await createClient(
      runtime,
      { name: 'bench', mode: 'sandbox', regions: ['intl'] },
      'cli:bench',
    )
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`
    await createEndpoint(
      runtime,
      client,
      {
        name: 'bench',
        url,
        event_types: ['kyc.status.changed'],
        is_active: true,
      },
      'cli:bench',
    )
    const database = runtime.databases.home
    const users = Array.from({ length: DELIVERIES + LATENCY_SAMPLES }, (_, n) =>
      newUserRow({
        id: crypto.randomUUID(),
        client_id: client.id,
        onboarding_id: crypto.randomUUID(),
        email: `hook${n}@example.com`,
        password_hash: 'x',
        country_of_residence: 'GB',
        created_at: Date.now(),
      }),
    )
    for (let offset = 0; offset < users.length; offset += 500)
      await database.db
        .insertInto('app_user')
        .values(users.slice(offset, offset + 500))
        .execute()
    const rows = await database.db.selectFrom('app_user').selectAll().execute()
    const byId = new Map(rows.map((row) => [row.id, row]))
    const submit = async (ids: string[]) => {
      await database.db.transaction().execute(async (trx) => {
        for (const id of ids) {
          const user = byId.get(id)
          if (!user) throw new Error(`no user ${id}`)
          await applyVerificationEvent(trx, runtime, {
            database,
            user,
            event: { type: 'submitted' },
            sessionId: null,
          })
        }
      })
    }
    worker.start()
    await worker.prepared
    // The whole backlog commits at once, so the measure is the worker's delivery rate alone.
    await submit(users.slice(0, DELIVERIES).map((user) => user.id))
    const started = performance.now()
    const cpuBefore = process.cpuUsage()
    const done = new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (received >= DELIVERIES) {
          clearInterval(check)
          resolve()
        }
      }, 5)
    })
    await done
    const perSecond = Math.round(DELIVERIES / ((performance.now() - started) / 1000))
    const cpu = process.cpuUsage(cpuBefore)
    const cpuMsPerDelivery = Math.round(((cpu.user + cpu.system) / 1000 / DELIVERIES) * 1000) / 1000

    const latencies: number[] = []
    for (const user of users.slice(DELIVERIES)) {
      const arrived = new Promise<void>((resolve) => waiters.set(user.id, resolve))
      const before = performance.now()
      await submit([user.id])
      await arrived
      latencies.push((arrivals.get(user.id) as number) - before)
    }
    latencies.sort((a, b) => a - b)
    return {
      dialect,
      deliveries: DELIVERIES,
      perSecond,
      cpuMsPerDelivery,
      samples: latencies.length,
      p50: Math.round(percentile(latencies, 50)),
      p95: Math.round(percentile(latencies, 95)),
      max: Math.round(latencies.at(-1) as number),
    }
  } finally {
    await worker.stop()
    await new Promise<void>((resolve) => receiver.close(() => resolve()))
    await runtime.close()
    await storage.cleanup()
  }
}
