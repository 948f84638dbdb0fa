import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import type { RegionDatabase } from '../db/database.ts'
import type { Clock } from '../lib/clock.ts'
import { queueStats } from './queue.ts'

export type JobMetrics = {
  finished(type: string, outcome: 'done' | 'retry' | 'dead' | 'lost', durationMs: number): void
}

/**
 * Per-process counters of what this process's workers ran (one set per registry: a second worker in the
 * same process counts into the same metrics).
 */
export const createJobMetrics = (registry: Registry): JobMetrics => {
  const existing = registry.getSingleMetric('verity_jobs_finished_total') as Counter | undefined
  const existingDuration = registry.getSingleMetric('verity_job_duration_seconds') as Histogram | undefined
  const finished =
    existing ??
    new Counter({
      name: 'verity_jobs_finished_total',
      help: 'Job attempts finished by this process, by type and outcome.',
      labelNames: ['type', 'outcome'],
      registers: [registry],
    })
  const duration =
    existingDuration ??
    new Histogram({
      name: 'verity_job_duration_seconds',
      help: 'Time a job handler ran.',
      labelNames: ['type'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60],
      registers: [registry],
    })
  return {
    finished: (type, outcome, durationMs) => {
      finished.inc({ type, outcome })
      duration.observe({ type }, durationMs / 1000)
    },
  }
}

/** Queue depth and age, read from each region's database at scrape time (shared by all processes). */
export const registerQueueGauges = (
  registry: Registry,
  databases: readonly RegionDatabase[],
  clock: Clock,
): void => {
  const readAll = () =>
    Promise.all(
      databases.map(async (database) => ({
        region: database.region,
        stats: await queueStats(database, clock),
      })),
    )
  new Gauge({
    name: 'verity_jobs',
    help: 'Jobs in the queue by region and status.',
    labelNames: ['region', 'status'],
    registers: [registry],
    async collect() {
      this.reset()
      for (const { region, stats } of await readAll()) {
        for (const [status, count] of Object.entries(stats.byStatus)) this.set({ region, status }, count)
      }
    },
  })
  new Gauge({
    name: 'verity_jobs_oldest_ready_age_seconds',
    help: 'Age of the oldest job that is due but not yet claimed, by region.',
    labelNames: ['region'],
    registers: [registry],
    async collect() {
      for (const { region, stats } of await readAll()) this.set({ region }, stats.oldestReadyAgeMs / 1000)
    },
  })
}
