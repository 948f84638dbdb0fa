import type { AnalysisInput } from './input.ts'

/**
 * One analyzer: reads the submission's files and returns plain data (it comes back from the analysis
 * thread). Its own file, composed in ANALYZERS (analysis.ts).
 */
export type Analyzer<Part> = {
  /** Bumped whenever the logic, a model or a threshold changes; stored with the checks' results. */
  version: string
  /**
   * Loads what the analyzer needs (models, WASM, templates) once per thread. Throws a clear error when
   * a model file is missing or corrupt: the worker then checks nothing, and submissions wait.
   */
  load(): Promise<void>
  /** `undefined` when the submission has nothing for this analyzer (no such file). */
  analyze(input: AnalysisInput): Promise<Part | undefined>
}
