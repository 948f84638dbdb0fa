import type { Check } from './check.ts'

/**
 * Exactly one face in the selfie. None, or more than one (someone behind, a photo held up beside the
 * face), asks for a new selfie. Faces below FACE_MIN_SCORE do not count: the detector also reports
 * low-confidence shapes in curtains and hair.
 */
export const selfieFace: Check = {
  id: 'selfie-face',
  version: '1',
  kind: 'selfie',
  appliesTo: ({ sandbox }) => !sandbox,
  feedback: { on: (slot) => slot === 'selfie', reads: ['faces'] },
  run: ({ analysis, config }) => {
    const selfie = analysis.faces?.selfie
    // A selfie that is not there (purged, never stored) is for a person to look into, not a verdict.
    if (!selfie) return { outcome: 'inconclusive', reason: 'MEDIA_MISSING', evidence: { selfie: null } }
    const counted = selfie.faces.filter((face) => face.score >= config.FACE_MIN_SCORE)
    const evidence = {
      faces: selfie.faces,
      counted: counted.length,
      minScore: config.FACE_MIN_SCORE,
      crop: selfie.main?.crop ?? null,
    }
    if (counted.length === 0) return { outcome: 'fail', reason: 'NO_FACE_FOUND', evidence }
    if (counted.length > 1) return { outcome: 'fail', reason: 'MULTIPLE_FACES', evidence }
    return { outcome: 'pass', evidence }
  },
}
