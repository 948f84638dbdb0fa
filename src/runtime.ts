import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { Registry } from 'prom-client'
import type { Config } from './config/config.ts'
import { type Databases, openDatabases } from './db/database.ts'
import { migrateToLatest } from './db/migrate.ts'
import type { JobDefinition } from './jobs/definitions.ts'
import { maintenanceSchedule, pruneJobsJob } from './jobs/maintenance.ts'
import { createJobMetrics, registerQueueGauges } from './jobs/metrics.ts'
import { Worker, type WorkerOptions } from './jobs/worker.ts'
import { type Clock, systemClock } from './lib/clock.ts'
import { deriveKeys, type Keys } from './lib/keys.ts'
import { createLogger, type Logger } from './lib/logger.ts'
import { pruneLoginFailuresJob, pruneLoginFailuresSchedule } from './modules/auth/index.ts'
import type { RandomBelow } from './modules/capture/index.ts'
import { type CardProcessor, cardsFollowVerification, simulatedCardProcessor } from './modules/cards/index.ts'
import {
  checkSubmissionJob,
  enqueueChecksOnSubmission,
  enqueueFeedbackOnUpload,
  lazyAnalysisPool,
  redactEvidenceJob,
  redactEvidenceSchedule,
  rescreenVerifiedUsersJob,
  uploadFeedbackJob,
} from './modules/checks/index.ts'
import { ClientCache } from './modules/clients/index.ts'
import {
  DecodeLimiter,
  type DocumentVault,
  diskBlobStore,
  documentVault,
  purgeDocumentsJob,
  purgeDocumentsSchedule,
} from './modules/documents/index.ts'
import { createMessageSender, deliverMessageJob } from './modules/messaging/index.ts'
import { pruneOAuthJob, pruneOAuthSchedule } from './modules/oauth/index.ts'
import {
  createVerificationChanges,
  expireSessionsJob,
  expireSessionsSchedule,
  type VerificationChanges,
} from './modules/verification/index.ts'
import {
  deliveryJob,
  pruneWebhooksJob,
  pruneWebhooksSchedule,
  recordWebhookEvents,
} from './modules/webhooks/index.ts'

/**
 * The composition root: the one place that turns configuration into connected parts. The CLI,
 * the tests and the benchmarks all start from here.
 */
export type Runtime = {
  config: Config
  databases: Databases
  clock: Clock
  log: Logger
  metrics: Registry
  keys: Keys
  clientCache: ClientCache
  /** Encrypted document storage (DATA_DIR/documents by default). */
  vault: DocumentVault
  /** Bounds this process's image decodes (DECODE_CONCURRENCY running, DECODE_QUEUE waiting). */
  decodes: DecodeLimiter
  /**
   * verificationState changes and submissions. Features that react to them subscribe here, and run in
   * the transaction of the change: webhooks write their events and deliveries, the checks enqueue the
   * job that decides a submission, cards freeze (or release) the card of a user who leaves (or
   * regains) VERIFIED.
   */
  verificationChanges: VerificationChanges
  /** Issues cards and holds their status: the simulated processor (no card network). */
  cardProcessor: CardProcessor
  randomBelow?: RandomBelow
  close(): Promise<void>
}

export type RuntimeOverrides = {
  clock?: Clock
  log?: Logger
  databases?: Databases
  /** Draws the selfie challenge's poses (crypto random by default); tests fix them like the clock. */
  randomBelow?: RandomBelow
}

export const openRuntime = async (config: Config, overrides: RuntimeOverrides = {}): Promise<Runtime> => {
  // Documents, the server secret and SQLite files live here: only the server's user may list it.
  mkdirSync(config.DATA_DIR, { recursive: true, mode: 0o700 })
  const log = overrides.log ?? createLogger(config.LOG_LEVEL)
  const clock = overrides.clock ?? systemClock
  const databases = overrides.databases ?? openDatabases(config.databases)
  try {
    if (config.MIGRATE_ON_BOOT) {
      for (const database of databases.all) await migrateToLatest(database)
    }
  } catch (error) {
    await databases.destroy()
    throw error
  }
  const metrics = new Registry()
  registerQueueGauges(metrics, databases.all, clock)
  const keys = deriveKeys(config.serverSecret)
  const verificationChanges = createVerificationChanges()
  verificationChanges.subscribe(recordWebhookEvents(databases, clock))
  verificationChanges.subscribe(enqueueChecksOnSubmission(clock))
  verificationChanges.subscribe(enqueueFeedbackOnUpload(clock))
  const cardProcessor = simulatedCardProcessor()
  // A user who leaves VERIFIED loses the use of their card in the same transaction (decision 183).
  verificationChanges.subscribe(cardsFollowVerification({ cardProcessor }))
  return {
    config,
    databases,
    clock,
    log,
    metrics,
    keys,
    clientCache: new ClientCache(),
    vault: documentVault(diskBlobStore(join(config.DATA_DIR, 'documents')), keys.documents),
    decodes: new DecodeLimiter(config.DECODE_CONCURRENCY, config.DECODE_QUEUE),
    verificationChanges,
    cardProcessor,
    ...(overrides.randomBelow ? { randomBelow: overrides.randomBelow } : {}),
    close: () => databases.destroy(),
  }
}

/**
 * The HTTP application, loaded when first asked for: commands that only open the runtime (the CLI's)
 * do not load Fastify, its plugins and every route with its schemas (issue #15).
 */
export const createApp = async (runtime: Runtime): Promise<FastifyInstance> =>
  (await import('./http/app.ts')).buildApp(runtime)

/** Every job type this server knows. */
export const jobDefinitions = (runtime: Runtime): JobDefinition[] => {
  // The worker's analysis threads (models loaded there), shared by its check jobs.
  const analysis = lazyAnalysisPool(runtime.config.CHECK_THREADS, runtime.config.CHECK_TIMEOUT_MS)
  return [
    pruneJobsJob,
    deliverMessageJob(runtime.keys.jobPayloads, createMessageSender(runtime.config, runtime.clock)),
    expireSessionsJob,
    checkSubmissionJob(runtime.databases, { ...runtime, analysis }),
    uploadFeedbackJob(runtime.databases, { ...runtime, analysis }),
    rescreenVerifiedUsersJob(runtime.databases, runtime),
    purgeDocumentsJob(runtime.vault, runtime.config.DOCUMENT_RETENTION_DAYS),
    redactEvidenceJob(runtime.keys),
    deliveryJob({
      databases: runtime.databases,
      sealingKey: runtime.keys.webhookKeys,
      sender: {
        timeoutMs: runtime.config.WEBHOOK_TIMEOUT_MS,
        allowPrivateNetworks: runtime.config.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
      },
    }),
    pruneWebhooksJob,
    pruneLoginFailuresJob,
    pruneOAuthJob,
  ]
}

export const createWorker = (runtime: Runtime, overrides: Partial<WorkerOptions> = {}): Worker =>
  new Worker({
    databases: runtime.databases.all,
    definitions: jobDefinitions(runtime),
    recurring: [
      ...maintenanceSchedule,
      expireSessionsSchedule,
      purgeDocumentsSchedule,
      redactEvidenceSchedule,
      pruneWebhooksSchedule,
      pruneLoginFailuresSchedule,
      pruneOAuthSchedule,
    ],
    clock: runtime.clock,
    log: runtime.log.child({ component: 'worker' }),
    concurrency: runtime.config.WORKER_CONCURRENCY,
    pollIntervalMs: runtime.config.JOB_POLL_INTERVAL_MS,
    leaseMs: runtime.config.JOB_VISIBILITY_TIMEOUT_MS,
    metrics: createJobMetrics(runtime.metrics),
    ...overrides,
  })
