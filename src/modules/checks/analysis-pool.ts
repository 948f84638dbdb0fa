import { Piscina } from 'piscina'
import type { Analysis } from './analysis/analysis.ts'
import { ANALYZER_GROUPS, mergeAnalyses } from './analysis/groups.ts'
import type { AnalysisInput, AnalyzerName } from './analysis/input.ts'

export type AnalysisPool = {
  /** Loads the models in every thread; rejects with the first thread's error. */
  ready(): Promise<void>
  analyze(input: AnalysisInput): Promise<Analysis>
  close(): Promise<void>
}

/**
 * The analysis runs in worker threads: its models (faces, OCR, opencv) are loaded there, once per
 * thread, and its seconds of CPU never block the event loop of the process that owns the job (in the
 * default single-process mode, the API's).
 *
 * One pool of `threads` threads per analyzer group (groups.ts): the faces, and the document readers.
 * A thread loads only its group's models, and one submission's faces and document are analysed side
 * by side: it is decided in the time of its slower group rather than of both. The price is memory: two
 * group threads hold more than one thread with every model (501 against 392 MB once loaded, decision
 * 161). Each thread takes one task at a time.
 */
export const createAnalysisPool = (threads: number, timeoutMs: number): AnalysisPool => {
  const pools = ANALYZER_GROUPS.map((group) => ({
    group,
    pool: new Piscina({
      filename: new URL('./analysis/thread.ts', import.meta.url).href,
      workerData: { analyzers: group },
      minThreads: threads,
      maxThreads: threads,
      concurrentTasksPerWorker: 1,
      idleTimeout: Number.POSITIVE_INFINITY,
    }),
  }))
  return {
    // One load task per thread, all at once: each idle thread takes one.
    ready: async () => {
      await Promise.all(
        pools.flatMap(({ pool }) => Array.from({ length: threads }, () => pool.run(null, { name: 'load' }))),
      )
    },
    // A file that makes an analyzer spin must not hold a thread for ever: past the deadline the task
    // is aborted (piscina ends that thread and starts another) and the job fails, to be retried.
    // A group that fails fails the whole analysis (the job is retried): the other group's task is
    // aborted with it rather than left holding its thread.
    analyze: async (input) => {
      const failed = new AbortController()
      const signal = AbortSignal.any([failed.signal, AbortSignal.timeout(timeoutMs)])
      const runs = pools.flatMap(({ group, pool }) => {
        const analyzers = group.filter(
          (name: AnalyzerName) => !input.analyzers || input.analyzers.includes(name),
        )
        if (analyzers.length === 0) return []
        const run = pool.run({ ...input, analyzers }, { name: 'analyze', signal }) as Promise<Analysis>
        return [
          run.catch((error: unknown) => {
            failed.abort()
            throw error
          }),
        ]
      })
      return mergeAnalyses(await Promise.all(runs))
    },
    close: async () => {
      await Promise.all(pools.map(({ pool }) => pool.destroy()))
    },
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
