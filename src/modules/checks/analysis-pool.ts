import { Piscina } from 'piscina'
import type { Analysis } from './analysis/analysis.ts'
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
 * default single-process mode, the API's). Threads run submissions side by side, one each.
 */
export const createAnalysisPool = (threads: number): AnalysisPool => {
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
    analyze: (input) => pool.run(input, { name: 'analyze' }) as Promise<Analysis>,
    close: () => pool.destroy(),
  }
}

/**
 * The pool a worker's check jobs share, created on first use: a process that only serves the API never
 * starts its threads. `ready()` loads the models once, however many job types prepare with it.
 */
export const lazyAnalysisPool = (threads: number): AnalysisPool => {
  let pool: AnalysisPool | undefined
  let ready: Promise<void> | undefined
  const started = () => {
    pool ??= createAnalysisPool(threads)
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
