import type { DocumentData } from './document-data.ts'
import type { AnalyzerName } from './input.ts'

/*
 * How the analyzers are ordered and grouped, apart from the analyzers themselves: the analysis pool
 * reads this in the process that owns the job, which must not load a model (analysis.ts imports them).
 */

/** What an Analysis (analysis.ts) is made of, whatever its parts hold. */
type AnalysisParts = Partial<Record<AnalyzerName, unknown>> & { documentData?: DocumentData; failed?: string }

/** The analyzers in the order they run; of those that read identity data, the earliest is believed. */
export const ANALYZER_ORDER = [
  'mrz',
  'document',
  'barcode',
  'address',
  'faces',
] as const satisfies readonly AnalyzerName[]

/**
 * The analyzers in two groups that read nothing of each other, each served by threads of its own
 * (analysis-pool.ts) that load only its models, so that one submission is analysed by two threads side
 * by side: the faces (over half of a passport's analysis time) and the document readers. Within a group
 * the analyzers run one after the other.
 */
export const ANALYZER_GROUPS: readonly (readonly AnalyzerName[])[] = [
  ['faces'],
  ['mrz', 'document', 'barcode', 'address'],
]

/** An Analysis of the parts found: `documentData` from the earliest analyzer that read any. */
export const withDocumentData = <A extends AnalysisParts>(
  parts: Partial<Record<AnalyzerName, unknown>>,
  failures: string[],
): A => {
  let documentData: DocumentData | undefined
  for (const name of ANALYZER_ORDER)
    documentData ??= (parts[name] as { documentData?: DocumentData } | undefined)?.documentData
  return {
    ...parts,
    ...(documentData ? { documentData } : {}),
    ...(failures.length > 0 ? { failed: failures.join('; ') } : {}),
  } as A
}

/** One Analysis of several runs over the same submission, each over other analyzers; every failure kept. */
export const mergeAnalyses = <A extends AnalysisParts>(runs: A[]): A => {
  const parts: Partial<Record<AnalyzerName, unknown>> = {}
  const failures: string[] = []
  for (const { documentData: _read, failed, ...found } of runs) {
    Object.assign(parts, found)
    if (failed) failures.push(failed)
  }
  return withDocumentData<A>(parts, failures)
}
