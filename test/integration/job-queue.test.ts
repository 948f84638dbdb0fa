import { Type } from 'typebox'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Queryable, RegionDatabase } from '../../src/db/database.ts'
import type { ClaimedJob } from '../../src/jobs/definitions.ts'
import { type JobDefinition, jobType, NO_PAYLOAD } from '../../src/jobs/definitions.ts'
import { PermanentJobError, RetryJobLaterError } from '../../src/jobs/errors.ts'
import { GroupCommit } from '../../src/jobs/group-commit.ts'
import { claimJobs, completeJob, enqueueJob, extendLease } from '../../src/jobs/queue.ts'
import { Worker, type WorkerOptions } from '../../src/jobs/worker.ts'
import { type Clock, ManualClock, systemClock } from '../../src/lib/clock.ts'
import { createLogger } from '../../src/lib/logger.ts'
import { eventually, openTestDatabases, type TestDatabases } from '../helpers/databases.ts'
import { DIALECTS } from '../helpers/dialects.ts'
import { testJob } from '../helpers/jobs.ts'

const log = createLogger('silent')

/** A job type with a real schema, for the tests of payload checks. */
const countJob = jobType('test.typed', Type.Object({ n: Type.Number() }))
const countInto = (ran: number[]): JobDefinition<{ n: number }> => ({
  ...countJob,
  async handle(payload) {
    ran.push(payload.n)
  },
})

/** One claim as a lone worker makes it: a job whose lease ran out first, else the oldest due one. */
const claimOne = async (
  database: Parameters<typeof claimJobs>[0],
  clock: Parameters<typeof claimJobs>[1],
  types: string[],
  leaseMs: number,
): Promise<ClaimedJob | undefined> =>
  (await claimJobs(database, clock, types, leaseMs, { limit: 1, expiredLeases: true }))[0]

describe.each(DIALECTS)('durable job queue (%s)', (dialect) => {
  let t: TestDatabases
  let intl: RegionDatabase
  const workers: Worker[] = []

  beforeEach(async () => {
    t = await openTestDatabases(dialect)
    intl = t.databases.byRegion.intl
  })
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop()))
    await t.close()
  })

  const jobRow = (id: string, database = intl) =>
    database.db.selectFrom('job').selectAll().where('id', '=', id).executeTakeFirstOrThrow()

  const startWorker = (definitions: JobDefinition[], options: Partial<WorkerOptions> = {}): Worker => {
    const worker = new Worker({
      databases: t.databases.all,
      definitions,
      clock: systemClock,
      log,
      concurrency: 2,
      pollIntervalMs: 20,
      leaseMs: 5_000,
      random: () => 0,
      ...options,
    })
    workers.push(worker)
    worker.start()
    return worker
  }

  describe('enqueue', () => {
    it('commits and rolls back with the transaction that enqueues', async () => {
      await expect(
        intl.db.transaction().execute(async (trx) => {
          await enqueueJob(trx, systemClock, testJob('test.job'), { n: 1 })
          throw new Error('the change failed')
        }),
      ).rejects.toThrow('the change failed')
      expect(await intl.db.selectFrom('job').selectAll().execute()).toEqual([])

      const id = await intl.db
        .transaction()
        .execute((trx) => enqueueJob(trx, systemClock, testJob('test.job'), { n: 2 }))
      expect(await jobRow(id)).toMatchObject({
        type: 'test.job',
        status: 'pending',
        payload: '{"n":2}',
        attempts: 0,
      })
    })

    it('enqueues a dedupe key only once', async () => {
      await enqueueJob(intl.db, systemClock, testJob('test.job'), {}, { dedupeKey: 'once' })
      await enqueueJob(intl.db, systemClock, testJob('test.job'), {}, { dedupeKey: 'once' })
      expect(await intl.db.selectFrom('job').selectAll().execute()).toHaveLength(1)
    })

    it('refuses a payload that does not match its job type, and enqueues nothing', async () => {
      await expect(enqueueJob(intl.db, systemClock, countJob, { n: 'one' } as never)).rejects.toThrow(
        /payload of job test.typed does not match its schema: \/n /,
      )
      expect(await intl.db.selectFrom('job').selectAll().execute()).toEqual([])
    })
  })

  describe('commit notifications', () => {
    it('tell listeners after a commit that enqueued, never after a rollback', async () => {
      let heard = 0
      const unsubscribe = intl.committedJobs.subscribe(() => {
        heard += 1
      })
      try {
        // PostgreSQL's listener also speaks up once when it connects: either proves it live. Whichever
        // of the two comes second must arrive before counting starts.
        await enqueueJob(intl.db, systemClock, countJob, { n: 1 })
        await eventually(() => expect(heard).toBeGreaterThan(0))
        await new Promise((resolve) => setTimeout(resolve, 300))
        heard = 0
        await expect(
          intl.db.transaction().execute(async (trx) => {
            await enqueueJob(trx, systemClock, countJob, { n: 2 })
            throw new Error('the change failed')
          }),
        ).rejects.toThrow('the change failed')
        await new Promise((resolve) => setTimeout(resolve, 300))
        expect(heard).toBe(0)
        await intl.db.transaction().execute((trx) => enqueueJob(trx, systemClock, countJob, { n: 3 }))
        await eventually(() => expect(heard).toBe(1))
      } finally {
        unsubscribe()
      }
    })

    it('wake a sleeping worker: a committed job runs long before the next poll', async () => {
      const ran: number[] = []
      startWorker([countInto(ran)], { pollIntervalMs: 60_000 })
      // Let the worker make its first, empty poll and fall asleep for a minute.
      await new Promise((resolve) => setTimeout(resolve, 300))
      await intl.db.transaction().execute((trx) => enqueueJob(trx, systemClock, countJob, { n: 7 }))
      await eventually(() => expect(ran).toEqual([7]), 3_000)
    })
  })

  describe('claim', () => {
    it('hands each ready job to exactly one of many concurrent claimers', async () => {
      for (let i = 0; i < 3; i++) await enqueueJob(intl.db, systemClock, testJob('test.job'), { i })
      const claims = await Promise.all(
        Array.from({ length: 8 }, () => claimOne(intl, systemClock, ['test.job'], 10_000)),
      )
      const claimed = claims.filter((claim) => claim !== undefined)
      expect(claimed).toHaveLength(3)
      expect(new Set(claimed.map((claim) => claim.id)).size).toBe(3)
    })

    it('claims batches: the oldest due jobs first, each job once across concurrent batch claimers', async () => {
      const clock = new ManualClock(2_000_000)
      for (let i = 0; i < 10; i++)
        await enqueueJob(intl.db, clock, testJob('test.job'), { i }, { runAt: 2_000_000 - i * 10 })
      await enqueueJob(intl.db, clock, testJob('test.job'), { later: true }, { runAt: 3_000_000 })
      const oldest = await claimJobs(intl, clock, ['test.job'], 10_000, { limit: 3, expiredLeases: false })
      expect(oldest.map((job) => JSON.parse(job.payload).i).sort()).toEqual([7, 8, 9])
      expect(new Set(oldest.map((job) => job.lock_token)).size).toBe(1)
      const batches = await Promise.all(
        Array.from({ length: 4 }, () =>
          claimJobs(intl, clock, ['test.job'], 10_000, { limit: 3, expiredLeases: false }),
        ),
      )
      const ids = batches.flat().map((job) => job.id)
      expect(ids).toHaveLength(7)
      expect(new Set([...ids, ...oldest.map((job) => job.id)]).size).toBe(10)
      expect(await claimJobs(intl, clock, ['test.job'], 10_000, { limit: 3, expiredLeases: true })).toEqual(
        [],
      )
    })

    it('does not claim delayed jobs before their time, nor types it was not asked for', async () => {
      const clock = new ManualClock(1_000_000)
      await enqueueJob(intl.db, clock, testJob('test.job'), {}, { runAt: 1_060_000 })
      await enqueueJob(intl.db, clock, testJob('other.job'), {})
      expect(await claimOne(intl, clock, ['test.job'], 1_000)).toBeUndefined()
      clock.advance(60_000)
      expect(await claimOne(intl, clock, ['test.job'], 1_000)).toMatchObject({
        type: 'test.job',
        attempts: 1,
      })
    })

    it('brings a job back after its lease expires, and fences off the stale claim', async () => {
      const clock = new ManualClock(1_000_000)
      const id = await enqueueJob(intl.db, clock, testJob('test.job'), {})
      const first = await claimOne(intl, clock, ['test.job'], 1_000)
      expect(await claimOne(intl, clock, ['test.job'], 1_000)).toBeUndefined()
      clock.advance(1_000)
      const second = await claimOne(intl, clock, ['test.job'], 1_000)
      expect(second).toMatchObject({ id, attempts: 2 })
      if (!first || !second) throw new Error('expected both claims')
      expect(await completeJob(intl.db, clock, first)).toBe(false)
      expect(await extendLease(intl, clock, first, 1_000)).toBe(false)
      expect(await completeJob(intl.db, clock, second)).toBe(true)
      expect(await jobRow(id)).toMatchObject({ status: 'done', lock_token: null })
    })
  })

  describe('worker', () => {
    const insertRawJob = (type: string, payload: string) =>
      intl.db
        .insertInto('job')
        .values({
          id: `job_raw_${type}_${payload.length}`,
          type,
          payload,
          status: 'pending',
          run_at: 0,
          attempts: 0,
          max_attempts: 5,
          lock_token: null,
          locked_until: null,
          last_error: null,
          dedupe_key: null,
          created_at: 0,
          updated_at: 0,
          finished_at: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
        .then((row) => row.id)

    it('sends a malformed payload straight to dead with the reason, and runs the good ones', async () => {
      const ran: number[] = []
      const wrongShape = await insertRawJob(countJob.type, '{"n":"seven"}')
      const notJson = await insertRawJob(countJob.type, '{"n":')
      const good = await enqueueJob(intl.db, systemClock, countJob, { n: 7 })
      startWorker([countInto(ran)])
      await eventually(async () => {
        expect(await jobRow(good)).toMatchObject({ status: 'done' })
        expect(await jobRow(wrongShape)).toMatchObject({
          status: 'dead',
          attempts: 1,
          last_error: expect.stringMatching(/^refused: payload does not match its schema: \/n /),
        })
        expect(await jobRow(notJson)).toMatchObject({
          status: 'dead',
          attempts: 1,
          last_error: 'refused: payload is not JSON',
        })
      })
      expect(ran).toEqual([7])
    })

    it('leaves a job of a type it does not know to the workers that do (e.g. a newer version)', async () => {
      const unknown = await insertRawJob('test.from-the-future', '{}')
      const known = await enqueueJob(intl.db, systemClock, countJob, { n: 1 })
      startWorker([{ ...countJob, handle: async () => {} }])
      await eventually(async () => expect(await jobRow(known)).toMatchObject({ status: 'done' }))
      expect(await jobRow(unknown)).toMatchObject({ status: 'pending', attempts: 0, last_error: null })
    })

    it('claims no job of a type whose prepare() failed (a model that did not load): they wait, the rest run', async () => {
      const unprepared = jobType('test.needs-models', Type.Object({ n: Type.Number() }))
      const waiting = await enqueueJob(intl.db, systemClock, unprepared, { n: 1 })
      const other = await enqueueJob(intl.db, systemClock, countJob, { n: 2 })
      const ran: number[] = []
      const errors: string[] = []
      const worker = startWorker(
        [
          {
            ...unprepared,
            prepare: async () => {
              throw new Error('model file missing: faceres.json')
            },
            handle: async (payload: { n: number }) => {
              ran.push(payload.n)
            },
          } as JobDefinition<{ n: number }>,
          countInto(ran),
        ],
        {
          log: Object.assign(Object.create(log), {
            error: (object: { err: Error }) => errors.push(object.err.message),
          }) as typeof log,
        },
      )
      await worker.prepared
      await eventually(async () => expect(await jobRow(other)).toMatchObject({ status: 'done' }))
      expect(errors.join()).toContain('model file missing: faceres.json')
      expect(ran).toEqual([2])
      expect(await jobRow(waiting)).toMatchObject({ status: 'pending', attempts: 0 })
    })

    it('claims the jobs of a type once its prepare() has succeeded, and releases it on stop', async () => {
      const prepared = jobType('test.prepared', Type.Object({ n: Type.Number() }))
      const id = await enqueueJob(intl.db, systemClock, prepared, { n: 1 })
      const events: string[] = []
      let finishPreparing = () => {}
      const worker = startWorker([
        {
          ...prepared,
          prepare: () =>
            new Promise<void>((resolve) => {
              finishPreparing = resolve
            }),
          release: async () => {
            events.push('released')
          },
          handle: async () => {
            events.push('handled')
          },
        },
      ])
      await new Promise((resolve) => setTimeout(resolve, 100))
      expect(await jobRow(id)).toMatchObject({ status: 'pending', attempts: 0 })
      finishPreparing()
      await eventually(async () => expect(await jobRow(id)).toMatchObject({ status: 'done' }))
      await worker.stop()
      expect(events).toEqual(['handled', 'released'])
    })

    it('completes a job inside its own transaction: its effects and its completion commit together', async () => {
      const definition: JobDefinition = {
        ...testJob('test.within'),
        async handle(payload, { database, completeWith }) {
          await database.db.transaction().execute(async (trx) => {
            await enqueueJob(trx, systemClock, testJob('test.effect'), payload)
            await completeWith(trx)
            if ((payload as { fail?: boolean }).fail) throw new Error('after completing, the change failed')
          })
        },
      }
      const kept = await enqueueJob(intl.db, systemClock, testJob('test.within'), {}, { maxAttempts: 1 })
      const failed = await enqueueJob(
        intl.db,
        systemClock,
        testJob('test.within'),
        { fail: true },
        { maxAttempts: 1 },
      )
      startWorker([definition])
      await eventually(async () => {
        expect(await jobRow(kept)).toMatchObject({ status: 'done', attempts: 1 })
        // Rolled back with the effect: the job is not done, it is failed like any other error.
        expect(await jobRow(failed)).toMatchObject({
          status: 'dead',
          last_error: expect.stringContaining('after completing'),
        })
      })
      const effects = await intl.db
        .selectFrom('job')
        .select('payload')
        .where('type', '=', 'test.effect')
        .execute()
      expect(effects.map((row) => row.payload)).toEqual(['{}'])
    })

    it('completes jobs finishing together in one group: a lost claim writes nothing, an error stays its own', async () => {
      for (const name of ['kept', 'lost', 'broken'])
        await enqueueJob(intl.db, systemClock, testJob('test.group'), { name })
      const claimed = await claimJobs(intl, systemClock, ['test.group'], 10_000, {
        limit: 3,
        expiredLeases: false,
      })
      const byName = new Map(claimed.map((job) => [JSON.parse(job.payload).name as string, job]))
      const lost = byName.get('lost') as ClaimedJob
      // Another claim took it meanwhile (its lease ran out, say).
      await intl.db.updateTable('job').set({ lock_token: 'other' }).where('id', '=', lost.id).execute()
      const group = new GroupCommit(intl, systemClock, log)
      const effect = (name: string) => async (trx: Queryable) => {
        await enqueueJob(trx, systemClock, testJob('test.effect'), { name })
        if (name === 'broken') throw new Error('the write failed')
      }
      const outcomes = await Promise.allSettled(
        claimed.map((job) => group.complete(job, effect(JSON.parse(job.payload).name))),
      )
      const outcome = (name: string) => outcomes[claimed.indexOf(byName.get(name) as ClaimedJob)]
      expect(outcome('kept')).toEqual({ status: 'fulfilled', value: undefined })
      expect(outcome('lost')).toMatchObject({ status: 'rejected', reason: { message: /lease lost/ } })
      expect(outcome('broken')).toMatchObject({ status: 'rejected', reason: { message: 'the write failed' } })
      expect(await jobRow((byName.get('kept') as ClaimedJob).id)).toMatchObject({ status: 'done' })
      expect(await jobRow(lost.id)).toMatchObject({ status: 'running', lock_token: 'other' })
      expect(await jobRow((byName.get('broken') as ClaimedJob).id)).toMatchObject({ status: 'running' })
      const effects = await intl.db
        .selectFrom('job')
        .select('payload')
        .where('type', '=', 'test.effect')
        .execute()
      expect(effects.map((row) => JSON.parse(row.payload).name)).toEqual(['kept'])
    })

    it('lets completions already being committed finish on shutdown instead of releasing their jobs', async () => {
      const signal = () => {
        let fire: () => void = () => {}
        const fired = new Promise<void>((resolve) => {
          fire = resolve
        })
        return { fire, fired }
      }
      const firstInCompletion = signal()
      const secondQueued = signal()
      const commitMayFinish = signal()
      const definition: JobDefinition = {
        ...testJob('test.completing'),
        async handle(payload, { completeTogether }) {
          const { name } = payload as { name: string }
          if (name === 'second') await firstInCompletion.fired
          const completion = completeTogether(async (trx) => {
            await enqueueJob(trx, systemClock, testJob('test.effect'), { of: name })
            if (name !== 'first') return
            firstInCompletion.fire()
            // The first group's transaction stays open (a slow commit) while shutdown begins: the
            // second completion waits for the next group, not fenced yet.
            await commitMayFinish.fired
          })
          if (name === 'second') secondQueued.fire()
          await completion
        },
      }
      const first = await enqueueJob(intl.db, systemClock, testJob('test.completing'), { name: 'first' })
      const second = await enqueueJob(intl.db, systemClock, testJob('test.completing'), { name: 'second' })
      const worker = startWorker([definition])
      await secondQueued.fired
      const stopped = worker.stop(0)
      setTimeout(commitMayFinish.fire, 100)
      await stopped
      for (const id of [first, second])
        expect(await jobRow(id)).toMatchObject({ status: 'done', lock_token: null })
      const effects = await intl.db
        .selectFrom('job')
        .select('payload')
        .where('type', '=', 'test.effect')
        .execute()
      expect(effects.map((row) => JSON.parse(row.payload).of).sort()).toEqual(['first', 'second'])
    })

    it('runs jobs of both regions, each exactly once, with two competing workers', async () => {
      const runs = new Map<string, number>()
      const definition: JobDefinition = {
        ...testJob('test.count'),
        async handle(payload) {
          const key = (payload as { key: string }).key
          runs.set(key, (runs.get(key) ?? 0) + 1)
        },
      }
      for (let i = 0; i < 30; i++) {
        const region = i % 2 === 0 ? t.databases.byRegion.intl : t.databases.byRegion.us
        await enqueueJob(region.db, systemClock, testJob('test.count'), { key: `${region.region}-${i}` })
      }
      startWorker([definition])
      startWorker([definition])
      await eventually(() => expect(runs.size).toBe(30))
      expect([...runs.values()].every((count) => count === 1)).toBe(true)
      await eventually(async () => {
        for (const database of t.databases.all) {
          const statuses = await database.db.selectFrom('job').select('status').execute()
          expect(statuses.every((row) => row.status === 'done')).toBe(true)
        }
      })
    })

    it('retries with exponential backoff, then succeeds', async () => {
      const clock = new ManualClock(5_000_000)
      let calls = 0
      const id = await enqueueJob(intl.db, clock, testJob('test.flaky'), {})
      startWorker(
        [
          {
            ...testJob('test.flaky'),
            backoff: { baseMs: 10_000, maxMs: 60_000 },
            async handle() {
              calls += 1
              if (calls < 3) throw new Error(`failure ${calls}`)
            },
          },
        ],
        { clock },
      )
      // random() = 0 gives the lower bound of the jitter: half of base * 2^(attempt-1).
      await eventually(async () =>
        expect(await jobRow(id)).toMatchObject({
          status: 'pending',
          attempts: 1,
          run_at: 5_005_000,
          last_error: 'Error: failure 1',
        }),
      )
      clock.advance(5_000)
      await eventually(async () =>
        expect(await jobRow(id)).toMatchObject({ status: 'pending', attempts: 2, run_at: 5_015_000 }),
      )
      clock.advance(10_000)
      await eventually(async () =>
        expect(await jobRow(id)).toMatchObject({ status: 'done', attempts: 3, last_error: null }),
      )
      expect(calls).toBe(3)
    })

    it('marks a job dead with its last error after the final attempt', async () => {
      const clock = new ManualClock(5_000_000)
      const id = await enqueueJob(intl.db, clock, testJob('test.broken'), {}, { maxAttempts: 2 })
      startWorker(
        [
          {
            ...testJob('test.broken'),
            backoff: { baseMs: 1_000, maxMs: 1_000 },
            async handle() {
              throw new Error('always broken')
            },
          },
        ],
        { clock },
      )
      await eventually(async () => expect(await jobRow(id)).toMatchObject({ status: 'pending', attempts: 1 }))
      clock.advance(1_000)
      await eventually(async () =>
        expect(await jobRow(id)).toMatchObject({
          status: 'dead',
          attempts: 2,
          last_error: 'Error: always broken',
        }),
      )
    })

    it('honours a permanent failure and a requested retry delay', async () => {
      const clock = new ManualClock(5_000_000)
      const permanent = await enqueueJob(intl.db, clock, testJob('test.permanent'), {})
      const later = await enqueueJob(intl.db, clock, testJob('test.later'), {})
      startWorker(
        [
          {
            ...testJob('test.permanent'),
            async handle() {
              throw new PermanentJobError('receiver said 400')
            },
          },
          {
            ...testJob('test.later'),
            async handle() {
              throw new RetryJobLaterError('receiver said 429', 42_000)
            },
          },
        ],
        { clock },
      )
      await eventually(async () =>
        expect(await jobRow(permanent)).toMatchObject({ status: 'dead', attempts: 1 }),
      )
      await eventually(async () =>
        expect(await jobRow(later)).toMatchObject({ status: 'pending', run_at: 5_042_000 }),
      )
    })

    it('keeps extending the lease of a long job so no other worker takes it', async () => {
      let runs = 0
      const id = await enqueueJob(intl.db, systemClock, testJob('test.slow'), {})
      const definition: JobDefinition = {
        ...testJob('test.slow'),
        async handle() {
          runs += 1
          await new Promise((resolve) => setTimeout(resolve, 2_500))
        },
      }
      startWorker([definition], { leaseMs: 1_000 })
      startWorker([definition], { leaseMs: 1_000 })
      await eventually(async () => expect(await jobRow(id)).toMatchObject({ status: 'done', attempts: 1 }))
      expect(runs).toBe(1)
    })

    it('kills a job whose worker keeps dying once its attempts are used up', async () => {
      const clock = new ManualClock(5_000_000)
      const id = await enqueueJob(intl.db, clock, testJob('test.crashy'), {}, { maxAttempts: 1 })
      // A claim whose worker vanished: the lease simply runs out.
      await claimOne(intl, clock, ['test.crashy'], 1_000)
      clock.advance(1_000)
      let ran = false
      startWorker(
        [
          {
            ...testJob('test.crashy'),
            async handle() {
              ran = true
            },
          },
        ],
        { clock },
      )
      await eventually(async () => expect(await jobRow(id)).toMatchObject({ status: 'dead', attempts: 2 }))
      expect((await jobRow(id)).last_error).toContain('lease expired')
      expect(ran).toBe(false)
    })

    it('releases unfinished jobs on shutdown so they run again at once', async () => {
      const id = await enqueueJob(intl.db, systemClock, testJob('test.hang'), {})
      let started = false
      const worker = startWorker([
        {
          ...testJob('test.hang'),
          handle: (_payload, { signal }) =>
            new Promise<void>((_resolve, reject) => {
              started = true
              signal.addEventListener('abort', () => reject(new Error('aborted')))
            }),
        },
      ])
      await eventually(() => expect(started).toBe(true))
      await worker.stop(50)
      expect(await jobRow(id)).toMatchObject({ status: 'pending', attempts: 0, lock_token: null })
    })

    it('schedules a recurring job once per slot, however many workers run', async () => {
      const clock: Clock = { now: () => 7_200_000 + 1_234 }
      const recurring = [{ type: 'test.tick', everyMs: 3_600_000 }]
      const definition: JobDefinition = { type: 'test.tick', payload: NO_PAYLOAD, handle: async () => {} }
      startWorker([definition], { clock, recurring })
      startWorker([definition], { clock, recurring })
      await eventually(async () => {
        for (const database of t.databases.all) {
          const jobs = await database.db
            .selectFrom('job')
            .selectAll()
            .where('type', '=', 'test.tick')
            .execute()
          expect(jobs).toHaveLength(1)
          expect(jobs[0]).toMatchObject({
            dedupe_key: 'recurring:test.tick:7200000',
            run_at: 7_200_000,
            status: 'done',
          })
        }
      })
    })
  })
})
