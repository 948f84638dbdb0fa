import type { Queryable, RegionDatabase } from '../db/database.ts'
import type { Clock } from '../lib/clock.ts'
import type { Logger } from '../lib/logger.ts'
import type { BackoffPolicy } from './backoff.ts'
import type { ClaimedJob } from './queue.ts'

export type JobContext = {
  job: ClaimedJob
  database: RegionDatabase
  clock: Clock
  log: Logger
  /** Aborted when the lease is lost or the worker is shutting down: stop as soon as practical. */
  signal: AbortSignal
  /**
   * Marks the job done inside the handler's own transaction, so its effects and its completion commit
   * together (one commit fewer, and a claim that lost its lease cannot commit its effects). Optional:
   * a handler that returns without calling it is completed by the worker afterwards.
   */
  completeWith(trx: Queryable): Promise<void>
}

/**
 * A kind of job. Handlers must be idempotent: delivery is at-least-once (a worker can die after the
 * work but before recording it).
 */
export type JobDefinition = {
  type: string
  handle(payload: unknown, context: JobContext): Promise<void>
  maxAttempts?: number
  backoff?: BackoffPolicy
}

/** A job the worker enqueues itself every `everyMs`; one run per slot across all workers. */
export type RecurringJob = {
  type: string
  everyMs: number
  payload?: unknown
}
