import type { Check } from './check.ts'

/**
 * The selfie's face against the document's portrait, by the cosine similarity of their embeddings.
 * From FACE_MATCH_THRESHOLD up: the same person. Below FACE_REVIEW_THRESHOLD: another person, rejected.
 * Between the two, or when either face is missing, a person compares them: a portrait the detector
 * cannot find (glare, a worn card) is no evidence of a mismatch.
 */
export const faceMatch: Check = {
  id: 'face-match',
  version: '1',
  kind: 'face',
  appliesTo: ({ sandbox }) => !sandbox,
  run: ({ analysis, config }) => {
    const faces = analysis.faces
    const thresholds = { match: config.FACE_MATCH_THRESHOLD, review: config.FACE_REVIEW_THRESHOLD }
    const evidence = {
      model: faces?.model ?? null,
      similarity: faces?.similarity ?? null,
      thresholds,
      selfieCrop: faces?.selfie?.main?.crop ?? null,
      portraitCrop: faces?.document?.portrait?.crop ?? null,
    }
    if (!faces?.selfie?.main) return { outcome: 'inconclusive', reason: 'NO_FACE_FOUND', evidence }
    if (!faces.document?.portrait)
      return { outcome: 'inconclusive', reason: 'DOCUMENT_PORTRAIT_NOT_FOUND', evidence }
    const { similarity } = faces
    if (similarity === null) return { outcome: 'inconclusive', reason: 'FACE_MATCH_UNCERTAIN', evidence }
    if (similarity >= thresholds.match) return { outcome: 'pass', score: similarity, evidence }
    if (similarity < thresholds.review)
      return { outcome: 'fail', reason: 'FACE_MISMATCH', score: similarity, evidence }
    return { outcome: 'inconclusive', reason: 'FACE_MATCH_UNCERTAIN', score: similarity, evidence }
  },
}
