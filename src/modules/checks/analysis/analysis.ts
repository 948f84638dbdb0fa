import type { AnalysisInput } from './input.ts'

/**
 * What the analysis found in a submission's files: one part per analyzer (the document's geometry and
 * image quality, its MRZ or barcode, the faces, the proof of address), each plain data so that it can
 * come back from the analysis thread. The checks (one file each, in ../) read it and conclude.
 */
export type Analysis = Record<string, never>

/**
 * Runs every analyzer over one submission. Models and WASM modules load once per thread and stay;
 * nothing here touches a database or the network.
 */
export const analyzeSubmission = async (_input: AnalysisInput): Promise<Analysis> => ({})
