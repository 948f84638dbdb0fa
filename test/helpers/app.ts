import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { loadConfig } from '../../src/config/config.ts'
import type { Dialect } from '../../src/db/database.ts'
import type { Worker } from '../../src/jobs/worker.ts'
import { ManualClock } from '../../src/lib/clock.ts'
import { createLogger, type Logger } from '../../src/lib/logger.ts'
import type { AuditActor } from '../../src/modules/audit/index.ts'
import { type CreateClientInput, createClient } from '../../src/modules/clients/index.ts'
import { createApp, createWorker, openRuntime, type Runtime } from '../../src/runtime.ts'
import { createTestDatabaseTargets, type TestDatabaseTargets } from './dialects.ts'

/** Who the audit log names for what a test does as an operator. */
export const TEST_ACTOR: AuditActor = 'cli:test'

export type TestApp = {
  app: FastifyInstance
  runtime: Runtime
  clock: ManualClock
  storage: TestDatabaseTargets
  createClient(input?: Partial<CreateClientInput>): ReturnType<typeof createClient>
  close(): Promise<void>
}

export type TestAppOptions = {
  env?: Record<string, string>
  log?: Logger
  /** Build the app without running migrations (readiness tests). */
  migrate?: boolean
  /** Run an in-process worker (mail, SMS and other jobs) while the app lives. */
  worker?: boolean
  /** Fixes the selfie challenge's poses (e.g. `() => 0`: always left, then right). */
  randomBelow?: (below: number) => number
}

/** Builds the real app on fresh databases of the given dialect, with a manual clock and silent logs. */
export const buildTestApp = async (dialect: Dialect, options: TestAppOptions = {}): Promise<TestApp> => {
  const storage = await createTestDatabaseTargets(dialect)
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: storage.dataDir,
    SERVER_SECRET: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'silent',
    PUBLIC_URL: 'http://localhost:3000',
    MIGRATE_ON_BOOT: options.migrate === false ? 'false' : 'true',
    ...storage.env,
    ...options.env,
  })
  const clock = new ManualClock(Date.now())
  let runtime: Runtime | undefined
  let app: FastifyInstance | undefined
  let worker: Worker | undefined
  try {
    runtime = await openRuntime(config, {
      clock,
      log: options.log ?? createLogger('silent'),
      ...(options.randomBelow ? { randomBelow: options.randomBelow } : {}),
    })
    app = await createApp(runtime)
    await app.ready()
    if (options.worker) {
      worker = createWorker(runtime, { pollIntervalMs: 20 })
      worker.start()
    }
  } catch (error) {
    await app?.close()
    await runtime?.close()
    await storage.cleanup()
    throw error
  }
  const started = runtime
  return {
    app,
    runtime: started,
    clock,
    storage,
    createClient: (input = {}) =>
      createClient(
        started,
        { name: 'test client', mode: 'sandbox', regions: ['intl'], ...input },
        TEST_ACTOR,
      ),
    close: async () => {
      await worker?.stop()
      await app.close()
      await started.close()
      await storage.cleanup()
    },
  }
}
