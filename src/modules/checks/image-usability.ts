import type { ReasonCode } from '../verification/index.ts'
import type { DocumentPhoto, SelfiePhoto } from './analysis/document/document-analyzer.ts'
import type { Check, CheckContext } from './check.ts'

type Thresholds = CheckContext['config']

/**
 * What is wrong with one side's photo, most basic first: a dark or washed-out photo is often why no
 * document was found, a cut-off document is why corners are missing, and only a whole document can
 * be judged for size, sharpness and glare.
 */
export const documentPhotoProblems = (photo: DocumentPhoto, config: Thresholds): ReasonCode[] => {
  const problems: ReasonCode[] = []
  if (photo.exposure.mean < config.USABILITY_MIN_BRIGHTNESS) problems.push('IMAGE_TOO_DARK')
  if (photo.exposure.brightShare > config.USABILITY_MAX_WASHED_OUT_SHARE) problems.push('IMAGE_OVEREXPOSED')
  if (!photo.corners) {
    problems.push(photo.cutOff ? 'DOCUMENT_NOT_IN_FRAME' : 'DOCUMENT_NOT_FOUND')
    return problems
  }
  if (!photo.inFrame) problems.push('DOCUMENT_NOT_IN_FRAME')
  if (photo.resolution < config.USABILITY_MIN_DOCUMENT_PIXELS) problems.push('IMAGE_TOO_SMALL')
  if (photo.sharpness !== null && photo.sharpness < config.USABILITY_MIN_SHARPNESS)
    problems.push('IMAGE_BLURRY')
  if (photo.glare !== null && photo.glare > config.USABILITY_MAX_GLARE_SHARE) problems.push('IMAGE_GLARE')
  return problems
}

/** The selfie is judged on what needs no face: its size and light (one face is the face checks' part). */
export const selfiePhotoProblems = (photo: SelfiePhoto, config: Thresholds): ReasonCode[] => [
  ...(photo.resolution < config.USABILITY_MIN_SELFIE_PIXELS ? (['IMAGE_TOO_SMALL'] as const) : []),
  ...(photo.exposure.mean < config.USABILITY_MIN_BRIGHTNESS ? (['IMAGE_TOO_DARK'] as const) : []),
]

const round = (value: number | null, digits: number) =>
  value === null ? null : Number(value.toFixed(digits))

const documentEvidence = (photo: DocumentPhoto, problems: ReasonCode[]) => ({
  problems,
  inFrame: photo.inFrame,
  corners: photo.corners?.map((p) => ({ x: Math.round(p.x), y: Math.round(p.y) })) ?? null,
  frame: photo.frame,
  resolution: photo.resolution,
  sharpness: round(photo.sharpness, 1),
  brightness: round(photo.exposure.mean, 1),
  darkShare: round(photo.exposure.darkShare, 4),
  washedOutShare: round(photo.exposure.brightShare, 4),
  glare: round(photo.glare, 4),
  thumbnail: photo.thumbnail,
})

/**
 * The photos can be judged: the whole document in frame (the four corners visible), large, sharp,
 * neither dark nor washed out, no reflection over it; the selfie large enough and lit. Every problem
 * is one a new photo fixes, so a failure asks for a resubmission with the first problem's reason (the
 * front's before the back's, the document's before the selfie's). A photo in which no document can be
 * found at all fails too (DOCUMENT_NOT_FOUND) rather than going to a person: the user can fix it at
 * once, and nothing else on that photo can be checked by the machine or judged well by a reviewer.
 */
export const imageUsability: Check = {
  id: 'image-usability',
  version: '1',
  kind: 'usability',
  appliesTo: ({ sandbox, analysis }) => !sandbox && analysis.document !== undefined,
  feedback: {
    on: (slot) => slot === 'document_front' || slot === 'document_back' || slot === 'selfie',
    reads: ['document'],
  },
  run: ({ analysis, config }) => {
    const part = analysis.document ?? {}
    const sides = { front: part.front, back: part.back }
    const evidence: Record<string, unknown> = {}
    const problems: ReasonCode[] = []
    for (const [side, photo] of Object.entries(sides)) {
      if (!photo) continue
      const found = documentPhotoProblems(photo, config)
      evidence[side] = documentEvidence(photo, found)
      problems.push(...found)
    }
    if (part.selfie) {
      const found = selfiePhotoProblems(part.selfie, config)
      evidence.selfie = {
        problems: found,
        frame: part.selfie.frame,
        brightness: round(part.selfie.exposure.mean, 1),
        sharpness: round(part.selfie.sharpness, 1),
      }
      problems.push(...found)
    }
    const [first] = problems
    return first ? { outcome: 'fail', reason: first, evidence } : { outcome: 'pass', evidence }
  },
}
