import { analyzeSubmission, loadAnalyzers } from './analysis.ts'
import type { AnalysisInput } from './input.ts'

/**
 * The analysis thread's tasks (analysis-pool.ts runs them). Models load once per thread, on the first
 * task; a thread whose load failed fails every task with that error.
 */
let loaded: Promise<void> | undefined
const ready = () => {
  loaded ??= loadAnalyzers()
  return loaded
}

export const load = (): Promise<void> => ready()

export const analyze = async (input: AnalysisInput) => {
  await ready()
  return analyzeSubmission(input)
}
