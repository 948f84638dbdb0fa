import { Piscina } from 'piscina'
import type { Analysis } from './analysis/analysis.ts'
import { analyzerGroupsFor, mergeAnalyses } from './analysis/groups.ts'
import type { AnalysisInput } from './analysis/input.ts'

export type AnalysisPool = {
  /** Loads the models in every thread; rejects with the first thread's error. */
  ready(): Promise<void>
  analyze(input: AnalysisInput): Promise<Analysis>
  close(): Promise<void>
}

/**
 * The analysis runs in worker threads: its models (faces, OCR, opencv) are loaded there, once per
 * thread, and its seconds of CPU never block the event loop of the process that owns the job (in the
 * default single-process mode, the API's). With two threads or more, a submission's analysis is split
 * in its analyzer groups, run side by side: one submission is decided in the time of its slowest group
 * rather than of all of them, and several submissions still share the threads (a thread takes a group).
 */
export const createAnalysisPool = (threads: number, timeoutMs: number): AnalysisPool => {
  const pool = new Piscina({
    filename: new URL('./analysis/thread.ts', import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    concurrentTasksPerWorker: 1,
    idleTimeout: Number.POSITIVE_INFINITY,
  })
  return {
    // One load task per thread, all at once: each idle thread takes one.
    ready: async () => {
      await Promise.all(Array.from({ length: threads }, () => pool.run(null, { name: 'load' })))
    },
    // A file that makes an analyzer spin must not hold the thread for ever: past the deadline the task
    // is aborted (piscina ends that thread and starts another) and the job fails, to be retried.
    analyze: async (input) => {
      const run = (task: AnalysisInput) =>
        pool.run(task, { name: 'analyze', signal: AbortSignal.timeout(timeoutMs) }) as Promise<Analysis>
      if (threads < 2) return run(input)
      const groups = analyzerGroupsFor(input.analyzers)
      return mergeAnalyses(await Promise.all(groups.map((analyzers) => run({ ...input, analyzers }))))
    },
    close: () => pool.destroy(),
  }
}

/**
 * The pool a worker's check jobs share, created on first use: a process that only serves the API never
 * starts its threads. `ready()` loads the models once, however many job types prepare with it.
 */
export const lazyAnalysisPool = (threads: number, timeoutMs: number): AnalysisPool => {
  let pool: AnalysisPool | undefined
  let ready: Promise<void> | undefined
  const started = () => {
    pool ??= createAnalysisPool(threads, timeoutMs)
    return pool
  }
  return {
    ready: () => {
      ready ??= started().ready()
      return ready
    },
    analyze: (input) => started().analyze(input),
    close: async () => {
      const current = pool
      pool = undefined
      ready = undefined
      await current?.close()
    },
  }
}
