import { setTimeout as sleep } from 'node:timers/promises'
import type { Queryable, RegionDatabase } from '../db/database.ts'
import type { Clock } from '../lib/clock.ts'
import type { Logger } from '../lib/logger.ts'
import { backoffDelay, DEFAULT_BACKOFF } from './backoff.ts'
import { type ClaimedJob, type JobDefinition, payloadProblems, type RecurringJob } from './definitions.ts'
import { PermanentJobError, RetryJobLaterError } from './errors.ts'
import { GroupCommit } from './group-commit.ts'
import type { JobMetrics } from './metrics.ts'
import { claimJobs, completeJob, enqueueJob, extendLease, failJob, releaseJob } from './queue.ts'

export type WorkerOptions = {
  databases: readonly RegionDatabase[]
  definitions: readonly JobDefinition[]
  recurring?: readonly RecurringJob[]
  clock: Clock
  log: Logger
  concurrency: number
  pollIntervalMs: number
  leaseMs: number
  metrics?: JobMetrics
  random?: () => number
}

/** How long shutdown waits for completions already being committed (bounded: a stuck one is released). */
const COMPLETION_WAIT_MS = 5_000

type Running = {
  job: ClaimedJob
  database: RegionDatabase
  abort: AbortController
  done: Promise<void>
  /** The job's completion is being committed: releasing it now would void that commit's fence. */
  completing: boolean
}

const MAX_ERROR_LENGTH = 2_000

/** Longest a free slot waits for others to free up before it is filled alone (see #slotFreed). */
const REFILL_WAIT_MS = 5

const describeError = (error: unknown): string =>
  (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, MAX_ERROR_LENGTH)

/** The row's payload when it is JSON of the shape its job type declares, else why not. */
type ParsedPayload = { value: unknown; problem?: undefined } | { problem: string }

const parsePayload = (definition: JobDefinition, text: string): ParsedPayload => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { problem: 'payload is not JSON' }
  }
  return definition.payload.Check(value)
    ? { value }
    : { problem: `payload does not match its schema: ${payloadProblems(definition, value)}` }
}

/**
 * Claims and runs jobs from every region's queue. `start()` returns at once; `stop()` stops claiming,
 * waits up to `graceMs` for running jobs, then releases the rest back to the queue so that another
 * worker picks them up immediately instead of after the lease expires.
 */
export class Worker {
  readonly #options: WorkerOptions
  readonly #definitions: Map<string, JobDefinition>
  readonly #running = new Set<Running>()
  readonly #groupCommits: Map<RegionDatabase, GroupCommit>
  #stopping = false
  #loop: Promise<void> | undefined
  #wake: (() => void) | undefined
  /** Set by wake() while the loop is busy, so the next sleep is skipped instead of missing the news. */
  #woken = false
  #nextRegion = 0
  /** When each region was last searched for jobs whose lease ran out (performance.now()). */
  readonly #expiredLeaseCheckedAt = new Map<RegionDatabase, number>()
  /** Regions whose last claim found nothing, and since when (performance.now()); see #mayHaveWork. */
  readonly #emptySince = new Map<RegionDatabase, number>()
  /** Commit notifications heard per region, so that an empty claim does not hide one that came meanwhile. */
  readonly #commitsHeard = new Map<RegionDatabase, number>()
  /** Wakes the loop once enough slots are free, or soon after the first one was (see #slotFreed). */
  #refillTimer: NodeJS.Timeout | undefined
  /** The slot last enqueued per region and recurring job. */
  readonly #scheduledSlots = new Map<string, number>()
  /** When the next slot of any recurring job begins (clock time). */
  #nextRecurringSlotAt = Number.NEGATIVE_INFINITY
  /** Job types this worker claims: those without prepare() at once, the others once it succeeded. */
  readonly #claimable = new Set<string>()
  #preparing: Promise<void> = Promise.resolve()

  constructor(options: WorkerOptions) {
    this.#options = options
    this.#definitions = new Map(options.definitions.map((definition) => [definition.type, definition]))
    this.#groupCommits = new Map(
      options.databases.map((database) => [database, new GroupCommit(database, options.clock, options.log)]),
    )
    // A schedule without its job would stop the loop at every turn: refuse it when the worker is built.
    const orphan = options.recurring?.find((job) => !this.#definitions.has(job.type))
    if (orphan) throw new Error(`recurring job ${orphan.type} has no definition`)
  }

  #unsubscribe: (() => void)[] = []

  start(): void {
    if (this.#loop) return
    this.#preparing = this.#prepare()
    this.#unsubscribe = this.#options.databases.map((database) =>
      database.committedJobs.subscribe(() => {
        this.#emptySince.delete(database)
        this.#commitsHeard.set(database, (this.#commitsHeard.get(database) ?? 0) + 1)
        this.wake()
      }),
    )
    this.#loop = this.#run()
  }

  async #prepare(): Promise<void> {
    const definitions = [...this.#definitions.values()]
    for (const definition of definitions) if (!definition.prepare) this.#claimable.add(definition.type)
    await Promise.all(
      definitions
        .filter((definition) => definition.prepare)
        .map(async (definition) => {
          try {
            await definition.prepare?.()
            if (this.#stopping) return
            this.#claimable.add(definition.type)
            this.wake()
          } catch (error) {
            this.#options.log.error(
              { err: error, type: definition.type },
              'job type could not be prepared: its jobs wait in the queue until a worker that can prepare it runs',
            )
          }
        }),
    )
  }

  /** Resolves when every job type has been prepared, or has failed to. */
  get prepared(): Promise<void> {
    return this.#preparing
  }

  /** Looks for work now instead of at the next poll (e.g. right after a commit that enqueued a job). */
  wake(): void {
    this.#woken = true
    this.#wake?.()
  }

  get runningCount(): number {
    return this.#running.size
  }

  async stop(graceMs = 0): Promise<void> {
    this.#stopping = true
    clearTimeout(this.#refillTimer)
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe()
    this.wake()
    await this.#loop
    const pending = [...this.#running]
    if (pending.length > 0) {
      await Promise.race([Promise.allSettled(pending.map((running) => running.done)), sleep(graceMs)])
    }
    // A job whose completion is already being committed is let finish (a commit takes milliseconds):
    // released, its fence would fail, its effects be rolled back and the work (a webhook sent) be done again.
    const completing = [...this.#running].filter((running) => running.completing)
    if (completing.length > 0)
      await Promise.race([
        Promise.allSettled(completing.map((running) => running.done)),
        sleep(COMPLETION_WAIT_MS, undefined, { ref: false }),
      ])
    for (const running of [...this.#running]) {
      running.abort.abort()
      const released = await releaseJob(running.database, this.#options.clock, running.job).catch(() => false)
      this.#options.log.info(
        { jobId: running.job.id, type: running.job.type, released },
        'job released on shutdown',
      )
    }
    await this.#preparing
    for (const definition of this.#definitions.values()) await definition.release?.()
  }

  async #run(): Promise<void> {
    const { log, pollIntervalMs } = this.#options
    while (!this.#stopping) {
      this.#woken = false
      try {
        await this.#scheduleRecurring()
        const started = await this.#fillSlots()
        if (started) continue
      } catch (error) {
        log.error({ err: error }, 'worker loop error')
      }
      if (this.#woken) continue
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollIntervalMs)
        this.#wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      this.#wake = undefined
    }
  }

  /**
   * Starts jobs until every slot is busy or no region has work. True when at least one started. While
   * others run, it waits for a batch of free slots (#slotFreed), so that under a backlog one claim
   * starts several jobs instead of one claim per finished job.
   */
  async #fillSlots(): Promise<boolean> {
    const { databases, concurrency } = this.#options
    let started = false
    let emptyRegions = 0
    if (this.#claimable.size === 0) return false
    const free = concurrency - this.#running.size
    if (free < this.#claimBatch && this.#running.size > 0 && this.#refillTimer) return false
    while (!this.#stopping && this.#running.size < concurrency && emptyRegions < databases.length) {
      const database = databases[this.#nextRegion % databases.length] as RegionDatabase
      this.#nextRegion += 1
      if (!this.#mayHaveWork(database)) {
        emptyRegions += 1
        continue
      }
      const heardBefore = this.#commitsHeard.get(database) ?? 0
      const jobs = await claimJobs(
        database,
        this.#options.clock,
        [...this.#claimable],
        this.#options.leaseMs,
        {
          limit: concurrency - this.#running.size,
          expiredLeases: this.#expiredLeaseCheckDue(database),
        },
      )
      if (jobs.length === 0) {
        // A commit heard while the claim ran may hold a job the claim's snapshot did not see.
        if ((this.#commitsHeard.get(database) ?? 0) === heardBefore)
          this.#emptySince.set(database, performance.now())
        emptyRegions += 1
        continue
      }
      this.#emptySince.delete(database)
      emptyRegions = 0
      started = true
      for (const job of jobs) this.#execute(database, job)
    }
    return started
  }

  /**
   * Jobs whose worker went silent are looked for at most once per poll interval per region: under a
   * backlog every claim is then a single statement, and a lost job still comes back within a poll of
   * its lease running out (leases are far longer than polls).
   */
  #expiredLeaseCheckDue(database: RegionDatabase): boolean {
    const now = performance.now()
    const last = this.#expiredLeaseCheckedAt.get(database) ?? Number.NEGATIVE_INFINITY
    if (now - last < this.#options.pollIntervalMs) return false
    this.#expiredLeaseCheckedAt.set(database, now)
    return true
  }

  /**
   * A region whose last claim found nothing is not asked again until a commit there enqueued a job (the
   * notification clears the mark) or a poll interval has passed (jobs that came due, enqueues heard by
   * no notification: another process's SQLite commits, a lost PostgreSQL notification). So a busy region
   * does not cost an empty claim on the idle one per batch, and no job waits longer than when every
   * region is idle and the loop sleeps a poll interval.
   */
  #mayHaveWork(database: RegionDatabase): boolean {
    const since = this.#emptySince.get(database)
    return since === undefined || performance.now() - since >= this.#options.pollIntervalMs
  }

  /** Free slots worth a claim while other jobs still run: a quarter of the slots. */
  get #claimBatch(): number {
    return Math.max(1, Math.floor(this.#options.concurrency / 4))
  }

  /**
   * A slot is free: look for more work without waiting for the next poll, at once when a batch of slots
   * is free, else after REFILL_WAIT_MS (more slots free up meanwhile, or the few free ones are filled).
   */
  #slotFreed(): void {
    if (this.#options.concurrency - this.#running.size >= this.#claimBatch || this.#running.size === 0) {
      clearTimeout(this.#refillTimer)
      this.#refillTimer = undefined
      this.wake()
      return
    }
    this.#refillTimer ??= setTimeout(() => {
      this.#refillTimer = undefined
      this.wake()
    }, REFILL_WAIT_MS)
  }

  #execute(database: RegionDatabase, job: ClaimedJob): void {
    const abort = new AbortController()
    const entry: Running = { job, database, abort, done: Promise.resolve(), completing: false }
    entry.done = this.#runJob(entry).finally(() => {
      this.#running.delete(entry)
      this.#slotFreed()
    })
    this.#running.add(entry)
  }

  async #runJob(running: Running): Promise<void> {
    const { database, job, abort } = running
    const { clock, leaseMs, metrics } = this.#options
    const log = this.#options.log.child({
      jobId: job.id,
      jobType: job.type,
      region: database.region,
      attempt: job.attempts,
    })
    const maxAttempts = job.max_attempts
    const startedAt = performance.now()

    // Never cast what a row says: a payload that is not what its type declares (a row from another
    // version, edited by hand, corrupted) would fail the same way on every attempt, so it goes dead at
    // once with the reason, for an operator to look at. Claims ask only for the types this worker
    // knows (another version's workers may run the rest), so a missing definition is a bug: dead too.
    const definition = this.#definitions.get(job.type)
    const payload: ParsedPayload = definition
      ? parsePayload(definition, job.payload)
      : { problem: 'unknown job type' }
    if (!definition || payload.problem !== undefined) {
      const reason = `refused: ${payload.problem}`
      await failJob(database, clock, job, reason, undefined).catch((error) =>
        log.error({ err: error }, 'could not record the refusal; the lease will expire and it comes back'),
      )
      metrics?.finished(job.type, 'dead', 0)
      log.error({ error: reason }, 'job dead')
      return
    }

    // A job whose earlier claims all ended with a silent worker (crash, OOM, kill) must not loop forever.
    if (job.attempts > maxAttempts) {
      await failJob(
        database,
        clock,
        job,
        'lease expired on the final attempt (worker stopped responding)',
        undefined,
      )
      metrics?.finished(job.type, 'dead', 0)
      log.error('job dead: lease expired on the final attempt')
      return
    }

    const heartbeat = setInterval(
      () => {
        extendLease(database, clock, job, leaseMs)
          .then((kept) => {
            if (!kept) abort.abort(new Error('lease lost'))
          })
          .catch((error) => log.warn({ err: error }, 'lease extension failed'))
      },
      Math.max(250, Math.floor(leaseMs / 3)),
    )
    try {
      let completedWithin = false
      const completeWith = async (trx: Queryable) => {
        running.completing = true
        // Fenced like every completion: a claim that lost its lease makes the handler's transaction fail.
        if (!(await completeJob(trx, clock, job)))
          throw new Error('lease lost: another claim owns this job now')
        completedWithin = true
      }
      const groupCommit = this.#groupCommits.get(database) as GroupCommit
      const completeTogether = async (work: (trx: Queryable) => Promise<void>) => {
        running.completing = true
        await groupCommit.complete(job, work)
        completedWithin = true
      }
      await definition.handle(payload.value, {
        job,
        database,
        clock,
        log,
        signal: abort.signal,
        completeWith,
        completeTogether,
      })
      const completed = completedWithin || (await completeJob(database.db, clock, job))
      if (!completed) log.warn('job finished after its lease was lost; another claim owns it now')
      metrics?.finished(job.type, completed ? 'done' : 'lost', performance.now() - startedAt)
    } catch (error) {
      const message = describeError(error)
      const permanent = error instanceof PermanentJobError || job.attempts >= maxAttempts
      const delay =
        error instanceof RetryJobLaterError
          ? error.delayMs
          : backoffDelay(job.attempts, definition.backoff ?? DEFAULT_BACKOFF, this.#options.random)
      const retryAt = permanent ? undefined : clock.now() + delay
      await failJob(database, clock, job, message, retryAt).catch((failError) =>
        log.error(
          { err: failError },
          'could not record job failure; the lease will expire and it will run again',
        ),
      )
      metrics?.finished(job.type, permanent ? 'dead' : 'retry', performance.now() - startedAt)
      if (permanent) log.error({ error: message }, 'job dead')
      else log.warn({ error: message, retryAt }, 'job failed; will retry')
    } finally {
      clearInterval(heartbeat)
    }
  }

  async #scheduleRecurring(): Promise<void> {
    const { recurring = [], databases, clock } = this.#options
    const now = clock.now()
    // The loop turns once per finished job under a backlog: between slot starts there is nothing to do.
    if (now < this.#nextRecurringSlotAt) return
    for (const database of databases) {
      for (const job of recurring) {
        const definition = this.#definitions.get(job.type) as JobDefinition
        const slot = Math.floor(now / job.everyMs) * job.everyMs
        // Only when a new slot begins: the insert would be a no-op until then.
        const key = `${database.region}:${job.type}`
        if (this.#scheduledSlots.get(key) === slot) continue
        // The dedupe key makes every worker of every process agree on one run per slot.
        await enqueueJob(database.db, clock, definition, null, {
          runAt: slot,
          dedupeKey: `recurring:${job.type}:${slot}`,
          maxAttempts: 3,
        })
        this.#scheduledSlots.set(key, slot)
      }
    }
    this.#nextRecurringSlotAt = Math.min(
      ...recurring.map((job) => (Math.floor(now / job.everyMs) + 1) * job.everyMs),
    )
  }
}
