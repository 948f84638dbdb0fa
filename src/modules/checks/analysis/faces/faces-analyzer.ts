import type { FaceResult, Config as HumanConfig } from '@vladmandic/human'
import type { AnalysisInput, ChallengeStep, SubmittedFile } from '../input.ts'
import { detectFaces, HUMAN_VERSION, loadHuman } from './human.ts'
import { cropForReviewer, decodeForFaces, type RgbImage } from './image.ts'
import { cosineSimilarity } from './similarity.ts'

/** A face's box in the uploaded image's pixels. */
export type FaceBox = { x: number; y: number; width: number; height: number }

/**
 * Head pose in degrees, from Human's face mesh, as seen in the image (not mirrored): yaw > 0 when the
 * face points to the image's left (the person turned to their own right), pitch > 0 when the person looks
 * down, roll > 0 when the head leans clockwise in the image. Measured on the demo photos (see the faces
 * fixtures); a mirrored image flips the sign of yaw and roll.
 */
export type HeadPose = { yaw: number; pitch: number; roll: number }

/** One face Human found: where, and how sure the detector is (0–1). */
export type FoundFace = { box: FaceBox; score: number }

export type SelfieFaces = {
  /** Every face found (detector score ≥ 0.3), most prominent first: the checks decide which count. */
  faces: FoundFace[]
  /** The most prominent face (most confident, then largest): the person taking the selfie. */
  main: {
    face: FoundFace
    pose: HeadPose | null
    /** Human's passive anti-spoof (`real`) and liveness (`live`) scores: signals only, never a pass. */
    real: number | null
    live: number | null
    /** JPEG (base64) of the face for the reviewer. */
    crop: string
  } | null
}

export type DocumentPortrait = {
  faces: FoundFace[]
  /** The most prominent face on the document's front: its portrait (a ghost image is smaller). */
  portrait: { face: FoundFace; crop: string } | null
}

export type ChallengeFrame = {
  step: ChallengeStep
  faces: FoundFace[]
  /** Of the frame's most prominent face. */
  pose: HeadPose | null
  similarityToSelfie: number | null
  similarityToPortrait: number | null
  crop: string | null
}

export type FacesPart = {
  /** Model and version that produced the scores (the thresholds are only valid for it). */
  model: string
  selfie: SelfieFaces | null
  document: DocumentPortrait | null
  /** Cosine similarity of the selfie's main face and the document portrait; null if either is missing. */
  similarity: number | null
  challenge: { steps: ChallengeStep[]; frames: ChallengeFrame[] } | null
}

const MODEL = `human@${HUMAN_VERSION} blazeface+facemesh+faceres(cosine)+antispoof+liveness`

/**
 * The document and the challenge frames need no anti-spoof signal: skipping those models saves time.
 * Human merges a call's configuration into its own for good, so every call says which it wants.
 */
const signals = (enabled: boolean): Partial<HumanConfig> => ({
  face: { antispoof: { enabled }, liveness: { enabled } } as HumanConfig['face'],
})
const WITH_SIGNALS = signals(true)
const WITHOUT_SIGNALS = signals(false)

const DEGREES = 180 / Math.PI
const round = (value: number, places = 4) => Number(value.toFixed(places))

const area = (face: FaceResult) => face.box[2] * face.box[3]

/**
 * The most prominent face first: the most confident (in steps of 0.05), then the largest. Size alone
 * is fooled by a low-confidence false detection at the edge of a frame (measured on the fixtures: a
 * 0.51 "face" in a curtain, larger than the real one); on a document the portrait is larger than its
 * ghost image.
 */
export const byProminence = (a: FaceResult, b: FaceResult) =>
  Math.round(b.score * 20) - Math.round(a.score * 20) || area(b) - area(a)

type Detected = { image: RgbImage; faces: FaceResult[] }

const detect = async (file: SubmittedFile, override: Partial<HumanConfig>): Promise<Detected> => {
  const image = await decodeForFaces(file.bytes)
  const result = await detectFaces(image, override)
  return { image, faces: [...result.face].sort(byProminence) }
}

const foundFace = (image: RgbImage, face: FaceResult): FoundFace => {
  const [x, y, width, height] = face.box.map((value) => Math.round(value * image.scale)) as [
    number,
    number,
    number,
    number,
  ]
  return { box: { x, y, width, height }, score: round(face.score, 3) }
}

const poseOf = (face: FaceResult): HeadPose | null => {
  const angle = face.rotation?.angle
  if (!angle) return null
  return {
    yaw: round(angle.yaw * DEGREES, 1),
    pitch: round(angle.pitch * DEGREES, 1),
    roll: round(angle.roll * DEGREES, 1),
  }
}

const embeddingOf = (face: FaceResult | undefined): number[] | null =>
  face?.embedding && face.embedding.length > 0 ? face.embedding : null

const similarity = (a: number[] | null, b: number[] | null) => (a && b ? round(cosineSimilarity(a, b)) : null)

const signal = (value: number | undefined) => (typeof value === 'number' ? round(value, 3) : null)

/**
 * The faces of a submission: every face on the selfie, the document's portrait, how alike the two are,
 * and, for a live selfie with its active challenge, the pose and likeness of every frame. The
 * embeddings stay in the analysis thread: only similarities leave it, so no biometric template is
 * stored with the results (the crops a reviewer needs are the images themselves, already held).
 */
// Typed by ANALYZERS (analysis.ts), which composes it: importing its type here would close a file cycle.
export const facesAnalyzer = {
  version: '1',
  load: async () => {
    await loadHuman()
  },
  analyze: async (input: AnalysisInput): Promise<FacesPart | undefined> => {
    const { selfie: selfieFile, document_front: documentFile } = input.files
    if (!selfieFile && !documentFile) return undefined

    let selfie: SelfieFaces | null = null
    let selfieEmbedding: number[] | null = null
    if (selfieFile) {
      const { image, faces } = await detect(selfieFile, WITH_SIGNALS)
      const main = faces[0]
      selfieEmbedding = embeddingOf(main)
      selfie = {
        faces: faces.map((face) => foundFace(image, face)),
        main: main
          ? {
              face: foundFace(image, main),
              pose: poseOf(main),
              real: signal(main.real),
              live: signal(main.live),
              crop: await cropForReviewer(image, main.box),
            }
          : null,
      }
    }

    let document: DocumentPortrait | null = null
    let portraitEmbedding: number[] | null = null
    if (documentFile) {
      const { image, faces } = await detect(documentFile, WITHOUT_SIGNALS)
      const portrait = faces[0]
      portraitEmbedding = embeddingOf(portrait)
      document = {
        faces: faces.map((face) => foundFace(image, face)),
        portrait: portrait
          ? { face: foundFace(image, portrait), crop: await cropForReviewer(image, portrait.box) }
          : null,
      }
    }

    let challenge: FacesPart['challenge'] = null
    if (input.challenge) {
      const frames: ChallengeFrame[] = []
      for (const [index, file] of input.challenge.frames.entries()) {
        const step = input.challenge.steps[index]
        if (!step) break
        const { image, faces } = await detect(file, WITHOUT_SIGNALS)
        const main = faces[0]
        const embedding = embeddingOf(main)
        frames.push({
          step,
          faces: faces.map((face) => foundFace(image, face)),
          pose: main ? poseOf(main) : null,
          similarityToSelfie: similarity(embedding, selfieEmbedding),
          similarityToPortrait: similarity(embedding, portraitEmbedding),
          crop: main ? await cropForReviewer(image, main.box, 96) : null,
        })
      }
      challenge = { steps: [...input.challenge.steps], frames }
    }

    return {
      model: MODEL,
      selfie,
      document,
      similarity: similarity(selfieEmbedding, portraitEmbedding),
      challenge,
    }
  },
}
