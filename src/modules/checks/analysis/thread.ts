import { workerData } from 'node:worker_threads'
import { analyzeSubmission, loadAnalyzers } from './analysis.ts'
import type { AnalysisInput, AnalyzerName } from './input.ts'

/**
 * The analysis thread's tasks (analysis-pool.ts runs them). A thread serves one group of analyzers
 * (its workerData names them) and loads only their models, once, on the first task; a thread whose
 * load failed fails every task with that error.
 */
const served = (workerData as { analyzers?: AnalyzerName[] } | null)?.analyzers

let loaded: Promise<void> | undefined
const ready = () => {
  loaded ??= loadAnalyzers(served)
  return loaded
}

export const load = (): Promise<void> => ready()

export const analyze = async (input: AnalysisInput) => {
  await ready()
  const wanted = served
    ? (input.analyzers ?? served).filter((name) => served.includes(name))
    : input.analyzers
  return analyzeSubmission({ ...input, ...(wanted ? { analyzers: wanted } : {}) })
}
