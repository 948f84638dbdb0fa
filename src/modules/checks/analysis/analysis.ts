import { addressAnalyzer } from './address/address-analyzer.ts'
import type { Analyzer } from './analyzer.ts'
import { barcodeAnalyzer } from './barcode/barcode-analyzer.ts'
import { documentAnalyzer } from './document/document-analyzer.ts'
import type { DocumentData } from './document-data.ts'
import { facesAnalyzer } from './faces/faces-analyzer.ts'
import { ANALYZER_ORDER, withDocumentData } from './groups.ts'
import type { AnalysisInput, AnalyzerName } from './input.ts'
import { mrzAnalyzer } from './mrz/analyzer.ts'

/**
 * Every analyzer, by the name its part has in the Analysis. Parts that read identity data off the
 * document (the MRZ, a licence barcode) carry it as `documentData`, earliest listed first.
 */
export const ANALYZERS = {
  mrz: mrzAnalyzer,
  document: documentAnalyzer,
  barcode: barcodeAnalyzer,
  address: addressAnalyzer,
  faces: facesAnalyzer,
} satisfies Record<AnalyzerName, Analyzer<unknown>>

const analyzers = () =>
  ANALYZER_ORDER.map((name) => [name, ANALYZERS[name]] as [AnalyzerName, Analyzer<unknown>])

type Parts = typeof ANALYZERS
type PartOf<Name extends keyof Parts> = Awaited<ReturnType<Parts[Name]['analyze']>>

/**
 * What the analysis found in a submission's files: one part per analyzer. The checks (one file each,
 * in ../) read it and conclude; `documentData` is the identity data read off the document by whichever
 * analyzer read it.
 */
export type Analysis = { [Name in keyof Parts]?: PartOf<Name> } & {
  documentData?: DocumentData
  /** Set when an analyzer threw (or the whole analysis kept failing): which, and why. */
  failed?: string
}

/** The version of every analyzer, for the stored results. */
export const analyzerVersions = (): Record<string, string> =>
  Object.fromEntries(analyzers().map(([name, analyzer]) => [name, analyzer.version]))

/** Loads the models of these analyzers (every one by default), once per thread. */
export const loadAnalyzers = async (names?: readonly AnalyzerName[]): Promise<void> => {
  for (const [name, analyzer] of analyzers()) if (!names || names.includes(name)) await analyzer.load()
}

/**
 * Runs the analyzers over one submission, one after the other (each is CPU-bound; the analysis pool
 * runs groups of them, and submissions, side by side instead). Nothing here touches a database or the
 * network.
 */
export const analyzeSubmission = async (input: AnalysisInput): Promise<Analysis> => {
  const parts: Record<string, unknown> = {}
  const failures: string[] = []
  for (const [name, analyzer] of analyzers()) {
    if (input.analyzers && !input.analyzers.includes(name)) continue
    // One analyzer that throws on a file (a corrupt PDF, say) takes nothing else down: its part is
    // missing, the failure is recorded, and the checks that needed it cannot conclude.
    let part: unknown
    try {
      part = await analyzer.analyze(input)
    } catch (error) {
      failures.push(`${name}: ${error instanceof Error ? error.message.slice(0, 200) : 'failed'}`)
      continue
    }
    if (part !== undefined) parts[name] = part
  }
  return withDocumentData<Analysis>(parts, failures)
}
