import type { ChallengeStep, DocumentSlot, DocumentType } from '../../../db/schema.ts'

/**
 * A head pose the live selfie's active challenge asks for. `left` and `right` are the user's own: the
 * page says "Turn your head to your left"; the frames are what the camera saw, not mirrored (like the
 * selfie), so a head turned to the user's left faces the image's right. The list is the stored column's
 * own (the capture module issues the challenges).
 */
export { CHALLENGE_STEPS, type ChallengeStep } from '../../../db/schema.ts'

/** One uploaded file, decrypted: photos are JPEG (re-encoded on upload), proof of address may be a PDF. */
export type SubmittedFile = { mediaType: string; bytes: Uint8Array }

/**
 * What the analysis reads: the submission's files and the facts the flow recorded about them. Plain
 * data only, because it crosses into the analysis thread (analysis-pool.ts).
 */
export type AnalysisInput = {
  documentType: DocumentType | null
  /** ISO 3166-1 alpha-2, as the user chose it in the flow. */
  issuingCountry: string | null
  files: Partial<Record<DocumentSlot, SubmittedFile>>
  /** The live selfie's active challenge: the poses asked for and one frame per pose; absent without a camera. */
  challenge?: { steps: ChallengeStep[]; frames: SubmittedFile[] }
  /** Only these analyzers run (an upload's feedback needs a few); every one when absent. */
  analyzers?: readonly AnalyzerName[]
}

/** The analyzers, by the name of their part of the Analysis (analysis.ts composes them). */
export type AnalyzerName = 'mrz' | 'document' | 'barcode' | 'address' | 'faces'
