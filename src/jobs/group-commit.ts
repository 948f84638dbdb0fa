import type { Queryable, RegionDatabase } from '../db/database.ts'
import type { Clock } from '../lib/clock.ts'
import type { Logger } from '../lib/logger.ts'
import type { ClaimedJob } from './definitions.ts'
import { completeJob, completeJobs } from './queue.ts'

/** What a job writes as it completes (JobContext.completeTogether). */
export type CompletionWork = (trx: Queryable) => Promise<void>

type Completion = {
  job: ClaimedJob
  work: CompletionWork
  resolve: () => void
  reject: (error: Error) => void
}

const leaseLost = () => new Error('lease lost: another claim owns this job now')

/**
 * Group commit for one region's database: jobs that finish at about the same moment write their effects
 * and their completions in one transaction, so that a backlog pays one BEGIN/COMMIT (and on PostgreSQL
 * one WAL flush) per group instead of per job. Completions wait at most for the current turn of the
 * event loop, or for the group being committed when they arrive.
 *
 * Invariants:
 * - The group's completions are fenced first, in one statement (each job's id and lock token); a job
 *   whose claim was lost has its work skipped, so it cannot commit effects for another claim's run, and is told so.
 * - A job resolves only once its group has committed: its effects and its completion are durable together.
 * - When a group's transaction fails, nothing of it was written and each of its jobs is retried in a
 *   transaction of its own, so one job's error never becomes its neighbours' failure.
 */
export class GroupCommit {
  readonly #database: RegionDatabase
  readonly #clock: Clock
  readonly #log: Logger
  #waiting: Completion[] = []
  #flushing: Promise<void> | undefined

  constructor(database: RegionDatabase, clock: Clock, log: Logger) {
    this.#database = database
    this.#clock = clock
    this.#log = log
  }

  complete(job: ClaimedJob, work: CompletionWork): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#waiting.push({ job, work, resolve, reject })
      // Completions arriving while a group commits join the next one, which starts as soon as it is done.
      if (this.#waiting.length === 1 && !this.#flushing) setImmediate(() => this.#flush())
    })
  }

  async #flush(): Promise<void> {
    while (this.#waiting.length > 0) {
      const group = this.#waiting
      this.#waiting = []
      this.#flushing = this.#commit(group)
      await this.#flushing
    }
    this.#flushing = undefined
  }

  async #commit(group: Completion[]): Promise<void> {
    const lost = new Set<Completion>()
    try {
      await this.#database.db.transaction().execute(async (trx) => {
        const held = await completeJobs(
          trx,
          this.#clock,
          group.map((completion) => completion.job),
        )
        for (const completion of group) {
          if (held.has(completion.job.id)) await completion.work(trx)
          else lost.add(completion)
        }
      })
    } catch (error) {
      // Each job's own error reaches its handler below; this says why they were split.
      this.#log.warn(
        { err: error, region: this.#database.region, jobs: group.length },
        'group commit failed; its jobs complete one by one',
      )
      await Promise.all(group.map((completion) => this.#commitAlone(completion)))
      return
    }
    for (const completion of group) {
      if (lost.has(completion)) completion.reject(leaseLost())
      else completion.resolve()
    }
  }

  async #commitAlone(completion: Completion): Promise<void> {
    try {
      await this.#database.db.transaction().execute(async (trx) => {
        if (!(await completeJob(trx, this.#clock, completion.job))) throw leaseLost()
        await completion.work(trx)
      })
      completion.resolve()
    } catch (error) {
      completion.reject(error instanceof Error ? error : new Error(String(error)))
    }
  }
}
