import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { JOBS_CHANNEL } from '../db/commit-notifications.ts'
import type { Queryable, RegionDatabase } from '../db/database.ts'
import { unlockedRowsOnly } from '../db/row-locks.ts'
import type { Clock } from '../lib/clock.ts'
import { newId } from '../lib/ids.ts'
import { type ClaimedJob, type JobType, payloadProblems } from './definitions.ts'

/**
 * The durable job queue lives in each region's own database (a job touches that region's data only).
 *
 * Invariants:
 * - enqueueJob takes a Queryable, so callers pass their transaction: the job commits or rolls back
 *   with the change that caused it (transactional outbox).
 * - enqueueJob raises a notification that workers hear only once that transaction commits
 *   (db/commit-notifications.ts): a rolled back enqueue wakes nobody, and no caller wakes workers itself.
 * - A payload is checked against its job type's schema when enqueued (a mismatch throws) and again
 *   when claimed (a mismatch goes dead, see Worker).
 * - A claim sets a fresh random lock_token and a lease (locked_until). Completing, failing, extending
 *   and releasing all require that token, so a worker whose lease expired and was re-claimed by
 *   another cannot complete the job a second time.
 * - A running job whose lease expired is claimable again; that counts as an attempt.
 */
export const DEFAULT_MAX_ATTEMPTS = 10

export type EnqueueOptions = {
  runAt?: number
  maxAttempts?: number
  /** At most one job per key ever exists; enqueueing it again is a no-op. */
  dedupeKey?: string
}

export const enqueueJob = async <Payload>(
  db: Queryable,
  clock: Clock,
  job: JobType<Payload>,
  payload: NoInfer<Payload>,
  options: EnqueueOptions = {},
): Promise<string> => {
  // A programming error, not a user's: the caller built a payload its own job type does not accept.
  if (!job.payload.Check(payload)) {
    throw new TypeError(
      `payload of job ${job.type} does not match its schema: ${payloadProblems(job, payload)}`,
    )
  }
  const now = clock.now()
  const id = newId('job')
  await db
    .insertInto('job')
    .values({
      id,
      type: job.type,
      payload: JSON.stringify(payload),
      status: 'pending',
      run_at: options.runAt ?? now,
      attempts: 0,
      max_attempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      lock_token: null,
      locked_until: null,
      last_error: null,
      dedupe_key: options.dedupeKey ?? null,
      created_at: now,
      updated_at: now,
      finished_at: null,
    })
    .onConflict((conflict) => conflict.column('dedupe_key').doNothing())
    .execute()
  await sql`select pg_notify(${JOBS_CHANNEL}, current_schema())`.execute(db)
  return id
}

export type ClaimOptions = {
  /** Most jobs to claim (the worker's free slots). */
  limit: number
  /** Look for jobs whose lease ran out (their worker went silent) before due pending ones. */
  expiredLeases: boolean
}

/**
 * Claims up to `limit` ready jobs of the given types in one statement each: first (when asked) jobs
 * whose lease ran out, else the oldest due pending jobs. Each candidate set is one index range, never an
 * OR'ed query sorted by run_at, which would read and sort every due job on each claim and turn a backlog
 * of n jobs into n² work. The batch shares one fencing token; completion and failure match id and token.
 */
export const claimJobs = async (
  database: RegionDatabase,
  clock: Clock,
  types: readonly string[],
  leaseMs: number,
  options: ClaimOptions,
): Promise<ClaimedJob[]> => {
  if (types.length === 0 || options.limit < 1) return []
  const now = clock.now()
  const token = randomBytes(16).toString('hex')
  const claim = (kind: 'expired' | 'pending') =>
    database.db
      .updateTable('job')
      .set({
        status: 'running',
        lock_token: token,
        locked_until: now + leaseMs,
        attempts: sql`attempts + 1`,
        updated_at: now,
      })
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('job')
          .select('id')
          .where('type', 'in', types)
          .$if(kind === 'expired', (query) =>
            query.where('status', '=', 'running').where('locked_until', '<=', now),
          )
          .$if(kind === 'pending', (query) =>
            query.where('status', '=', 'pending').where('run_at', '<=', now).orderBy('run_at'),
          )
          .limit(options.limit)
          .$call(unlockedRowsOnly(database)),
      )
      .returningAll()
      .execute() as Promise<ClaimedJob[]>
  if (options.expiredLeases) {
    const expired = await claim('expired')
    if (expired.length > 0) return expired
  }
  return claim('pending')
}

/** What a completion writes, alone or for a group. */
const done = (now: number) =>
  ({
    status: 'done',
    lock_token: null,
    locked_until: null,
    finished_at: now,
    updated_at: now,
    last_error: null,
  }) as const

/**
 * Marks a claimed job done, if this claim still holds it (fencing). `db` may be the handler's own
 * transaction, so that the job's effects and its completion commit together (see JobContext.completeWith).
 */
export const completeJob = async (db: Queryable, clock: Clock, job: ClaimedJob): Promise<boolean> => {
  const now = clock.now()
  const result = await db
    .updateTable('job')
    .set(done(now))
    .where('id', '=', job.id)
    .where('lock_token', '=', job.lock_token)
    .where('status', '=', 'running')
    .executeTakeFirst()
  return result.numUpdatedRows === 1n
}

/**
 * completeJob for several claims in one statement (group commit): the ids of those this claim still
 * held, now done. The others were lost to another claim and are left as they are.
 */
export const completeJobs = async (
  db: Queryable,
  clock: Clock,
  jobs: readonly ClaimedJob[],
): Promise<Set<string>> => {
  if (jobs.length === 0) return new Set()
  const now = clock.now()
  const completed = await db
    .updateTable('job')
    .set(done(now))
    // The id list makes it a primary-key lookup (SQLite would otherwise scan every running job).
    .where(
      'id',
      'in',
      jobs.map((job) => job.id),
    )
    .where((eb) =>
      eb(
        eb.refTuple('id', 'lock_token'),
        'in',
        jobs.map((job) => eb.tuple(job.id, job.lock_token)),
      ),
    )
    .where('status', '=', 'running')
    .returning('id')
    .execute()
  return new Set(completed.map((row) => row.id))
}

/** Records a failed attempt: back to pending at `retryAt`, or dead when `retryAt` is undefined. */
export const failJob = async (
  database: RegionDatabase,
  clock: Clock,
  job: ClaimedJob,
  error: string,
  retryAt: number | undefined,
): Promise<boolean> => {
  const now = clock.now()
  const result = await database.db
    .updateTable('job')
    .set(
      retryAt === undefined
        ? {
            status: 'dead',
            lock_token: null,
            locked_until: null,
            last_error: error,
            finished_at: now,
            updated_at: now,
          }
        : {
            status: 'pending',
            lock_token: null,
            locked_until: null,
            last_error: error,
            run_at: retryAt,
            updated_at: now,
          },
    )
    .where('id', '=', job.id)
    .where('lock_token', '=', job.lock_token)
    .where('status', '=', 'running')
    .executeTakeFirst()
  return result.numUpdatedRows === 1n
}

/** Pushes the lease forward while a long job runs. False means the lease was lost. */
export const extendLease = async (
  database: RegionDatabase,
  clock: Clock,
  job: ClaimedJob,
  leaseMs: number,
): Promise<boolean> => {
  const now = clock.now()
  const result = await database.db
    .updateTable('job')
    .set({ locked_until: now + leaseMs, updated_at: now })
    .where('id', '=', job.id)
    .where('lock_token', '=', job.lock_token)
    .where('status', '=', 'running')
    .executeTakeFirst()
  return result.numUpdatedRows === 1n
}

/** Gives a claimed job back untouched (graceful shutdown): the attempt does not count. */
export const releaseJob = async (
  database: RegionDatabase,
  clock: Clock,
  job: ClaimedJob,
): Promise<boolean> => {
  const now = clock.now()
  const result = await database.db
    .updateTable('job')
    .set({
      status: 'pending',
      lock_token: null,
      locked_until: null,
      run_at: now,
      attempts: sql`attempts - 1`,
      updated_at: now,
    })
    .where('id', '=', job.id)
    .where('lock_token', '=', job.lock_token)
    .where('status', '=', 'running')
    .executeTakeFirst()
  return result.numUpdatedRows === 1n
}

export type QueueStats = {
  byStatus: Record<string, number>
  readyByType: Record<string, number>
  /** Age in ms of the oldest job that is ready to run but not running; 0 when there is none. */
  oldestReadyAgeMs: number
}

export const queueStats = async (database: RegionDatabase, clock: Clock): Promise<QueueStats> => {
  const now = clock.now()
  const [statusRows, readyRows] = await Promise.all([
    database.db
      .selectFrom('job')
      .select(['status', (eb) => eb.fn.countAll<number>().as('count')])
      .groupBy('status')
      .execute(),
    database.db
      .selectFrom('job')
      .select([
        'type',
        (eb) => eb.fn.countAll<number>().as('count'),
        (eb) => eb.fn.min('run_at').as('oldest'),
      ])
      .where('status', '=', 'pending')
      .where('run_at', '<=', now)
      .groupBy('type')
      .execute(),
  ])
  const byStatus: Record<string, number> = { pending: 0, running: 0, done: 0, dead: 0 }
  for (const row of statusRows) byStatus[row.status] = Number(row.count)
  const readyByType: Record<string, number> = {}
  let oldest = Number.POSITIVE_INFINITY
  for (const row of readyRows) {
    readyByType[row.type] = Number(row.count)
    oldest = Math.min(oldest, Number(row.oldest))
  }
  return { byStatus, readyByType, oldestReadyAgeMs: Number.isFinite(oldest) ? Math.max(0, now - oldest) : 0 }
}

/** Deletes finished jobs older than the cutoff; dead jobs stay for inspection. */
export const pruneFinishedJobs = async (database: RegionDatabase, olderThan: number): Promise<number> => {
  const result = await database.db
    .deleteFrom('job')
    .where('status', '=', 'done')
    .where('finished_at', '<', olderThan)
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
