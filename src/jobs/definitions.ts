import { type Static, type TSchema, Type } from 'typebox'
import { Compile, type Validator } from 'typebox/compile'
import type { Queryable, RegionDatabase } from '../db/database.ts'
import type { JobRow } from '../db/schema.ts'
import type { Clock } from '../lib/clock.ts'
import type { Logger } from '../lib/logger.ts'
import type { BackoffPolicy } from './backoff.ts'

/**
 * A kind of job and the shape of its payload. The queue checks the payload against it twice: at
 * enqueue (a payload that does not match is a programming error and throws) and at claim (a row
 * written by an older version, by hand, or corrupted goes dead instead of reaching the handler).
 */
export type JobType<Payload = unknown> = {
  readonly type: string
  /** Compiled once, when the job type is declared. */
  readonly payload: PayloadValidator<Payload>
}

type PayloadValidator<Payload> = {
  Check(value: unknown): value is Payload
  Errors(value: unknown): readonly { instancePath: string; message: string }[]
}

export const jobType = <Schema extends TSchema>(type: string, payload: Schema): JobType<Static<Schema>> => ({
  type,
  payload: Compile<Schema, Validator<Record<never, never>, Schema, Static<Schema>>>(payload),
})

/** The payload of jobs that carry none, such as every recurring job: `null`. */
export const NO_PAYLOAD = jobType('', Type.Null()).payload

/** The first few reasons a payload does not match its schema, for the error and the job's last_error. */
export const payloadProblems = (job: JobType, payload: unknown): string =>
  job.payload
    .Errors(payload)
    .slice(0, 3)
    .map((error) => `${error.instancePath || '/'} ${error.message}`)
    .join('; ')

/** A job row as a worker holds it: claimed, with the token that fences its completion. */
export type ClaimedJob = JobRow & { lock_token: string }

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
  /**
   * Writes `work` and marks the job done in one transaction, which jobs finishing at the same moment
   * share (group commit, see jobs/group-commit.ts): for handlers whose last step is a few writes. The
   * completion is fenced first: a claim that lost its lease has `work` skipped and gets an error.
   * `work` only writes, and may run twice (a failed group is retried one job at a time).
   */
  completeTogether(work: (trx: Queryable) => Promise<void>): Promise<void>
}

/**
 * How to run a kind of job. Handlers must be idempotent: delivery is at-least-once (a worker can die
 * after the work but before recording it). The handler receives a payload already checked against
 * the job type's schema. How often a job may run is the enqueuer's choice (EnqueueOptions.maxAttempts).
 */
export type JobDefinition<Payload = unknown> = JobType<Payload> & {
  handle(payload: Payload, context: JobContext): Promise<void>
  backoff?: BackoffPolicy
  /**
   * Gets what the handler needs ready (models, threads) when the worker starts. Until it has
   * succeeded the worker claims no job of this type: they wait in the queue, for a worker that could
   * prepare. A failure is logged as an error once and not retried (a missing model file needs a person).
   */
  prepare?(): Promise<void>
  /** Releases what prepare() took, when the worker stops. */
  release?(): Promise<void>
}

/** A job the worker enqueues itself every `everyMs`; one run per slot across all workers. */
export type RecurringJob = {
  type: string
  everyMs: number
}
