import type { FaceResult, Config as HumanConfig } from '@vladmandic/human'
import type { DocumentType } from '../../../../db/schema.ts'
import { loadOpenCv } from '../../../../lib/opencv.ts'
import type { Point } from '../document/geometry.ts'
import { locateDocument } from '../document/locate.ts'
import { documentAspect, rectifyDocument, squaredToPhoto } from '../document/rectify.ts'
import type { AnalysisInput, ChallengeStep, SubmittedFile } from '../input.ts'
import { detectFaces, HUMAN_VERSION, loadHuman } from './human.ts'
import { cropForReviewer, decodeForFaces, type RgbImage, rawForFaces } from './image.ts'
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
  /**
   * Where the faces were found: on the photo as uploaded or, when it shows no sure face, on the
   * squared document (cut out of the photo by its corners). Boxes are in the photo's pixels.
   */
  source: PortraitSource
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

type PortraitSource = 'squared document' | 'photo'

const detect = async (file: SubmittedFile, override: Partial<HumanConfig>): Promise<Detected> => {
  const image = await decodeForFaces(file.bytes)
  const result = await detectFaces(image, override)
  return { image, faces: [...result.face].sort(byProminence) }
}

/** A face's box in the upload's pixels; `toPhoto` maps a squared document's pixels onto the photo. */
const foundFace = (image: RgbImage, face: FaceResult, toPhoto?: (point: Point) => Point): FoundFace => {
  const [x, y, width, height] = face.box.map((value) => value * image.scale) as [
    number,
    number,
    number,
    number,
  ]
  const corners = [
    { x, y },
    { x: x + width, y },
    { x: x + width, y: y + height },
    { x, y: y + height },
  ].map((corner) => (toPhoto ? toPhoto(corner) : corner))
  const left = Math.min(...corners.map((corner) => corner.x))
  const top = Math.min(...corners.map((corner) => corner.y))
  const right = Math.max(...corners.map((corner) => corner.x))
  const bottom = Math.max(...corners.map((corner) => corner.y))
  return {
    box: {
      x: Math.round(left),
      y: Math.round(top),
      width: Math.round(right - left),
      height: Math.round(bottom - top),
    },
    score: round(face.score, 3),
  }
}

/** The document cut out of the photo by its corners and squared to its aspect, as Human sees it. */
const squaredDocument = async (file: SubmittedFile, documentType: DocumentType | null) => {
  const aspect = documentAspect(documentType)
  const { corners } = await locateDocument(file.bytes, aspect)
  if (!corners) return null
  const squared = await rectifyDocument(file.bytes, corners, aspect)
  return {
    image: await rawForFaces(squared),
    toPhoto: await squaredToPhoto(corners, squared.width, squared.height),
  }
}

export type DocumentFaces = Detected & { source: PortraitSource; toPhoto?: (point: Point) => Point }

/** A detector score from which the photo's own portrait is taken without looking further. */
const SURE_DETECTION = 0.95

/**
 * The faces on a document's front, most prominent first. Human's detector sees the whole image at
 * 256 px: on a photographed passport page the portrait's face is some 25 px there, and was missed on
 * 6 of 20 genuine passports of the bench (all sent to a person). The photo as uploaded comes first (the
 * face thresholds were chosen on it); when it shows no sure face, the document squared by its corners
 * is searched too, where the face is larger and frontal, and the more confident detection wins. Not
 * both always: on a squared card the detector is as sure of a box that cuts the face badly (a genuine
 * pair fell from 0.83 to 0.35). Measured in decision 141.
 * Exported for the accuracy report, which measures the scores on the portraits the checks use.
 */
export const documentFaces = async (
  file: SubmittedFile,
  documentType: DocumentType | null,
): Promise<DocumentFaces> => {
  const inPhoto = await detect(file, WITHOUT_SIGNALS)
  const confidence = (faces: FaceResult[]) => faces[0]?.score ?? -1
  if (confidence(inPhoto.faces) >= SURE_DETECTION) return { ...inPhoto, source: 'photo' }
  const squared = await squaredDocument(file, documentType)
  if (!squared) return { ...inPhoto, source: 'photo' }
  const result = await detectFaces(squared.image, WITHOUT_SIGNALS)
  const inSquared = [...result.face].sort(byProminence)
  return confidence(inSquared) > confidence(inPhoto.faces)
    ? { image: squared.image, faces: inSquared, source: 'squared document', toPhoto: squared.toPhoto }
    : { ...inPhoto, source: 'photo' }
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
  version: '2',
  load: async () => {
    await loadHuman()
    // The portrait is also looked for on the squared document (documentFaces).
    await loadOpenCv()
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
      const { image, faces, source, toPhoto } = await documentFaces(documentFile, input.documentType)
      const portrait = faces[0]
      portraitEmbedding = embeddingOf(portrait)
      document = {
        source,
        faces: faces.map((face) => foundFace(image, face, toPhoto)),
        portrait: portrait
          ? { face: foundFace(image, portrait, toPhoto), crop: await cropForReviewer(image, portrait.box) }
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
