import sharp from 'sharp'
import { loadOpenCv } from '../../../../lib/opencv.ts'
import type { Analyzer } from '../analyzer.ts'
import type { AnalysisInput, SubmittedFile } from '../input.ts'
import { type Quad, quadSides } from './geometry.ts'
import { locateDocument } from './locate.ts'
import { type Exposure, exposure, glare, greyAt, sharpness } from './quality.ts'
import { documentAspect, rectifyDocument } from './rectify.ts'

/** Width of the reviewer's thumbnail of the squared document. */
const THUMBNAIL_WIDTH = 360

/** What the photo of one side of the document shows. */
export type DocumentPhoto = {
  frame: { width: number; height: number }
  /** The document's corners in the photo (top-left first, long side on top); null when not found. */
  corners: Quad | null
  /** All four corners are in the photo, with the table around them. */
  inFrame: boolean
  /** A document-sized outline runs off the photo's edge (found or not). */
  cutOff: boolean
  /** The document's short side in photo pixels (the photo's own short side when no document was found). */
  resolution: number
  /** Variance of the Laplacian of the squared document at 800 px wide; null when no document was found. */
  sharpness: number | null
  /** Of the document when found, otherwise of the whole photo (a dark photo is often why none was found). */
  exposure: Exposure
  /** Largest saturated blob as a share of the document; null when no document was found. */
  glare: number | null
  /** The squared document, small, as a base64 JPEG for the reviewer; null when no document was found. */
  thumbnail: string | null
}

/** What the selfie's photo shows, where it is meaningful without knowing where the face is. */
export type SelfiePhoto = {
  frame: { width: number; height: number }
  resolution: number
  exposure: Exposure
  /** A signal only: a selfie's background is often soft on purpose. */
  sharpness: number
}

export type DocumentAnalysis = { front?: DocumentPhoto; back?: DocumentPhoto; selfie?: SelfiePhoto }

const analyzePhoto = async (file: SubmittedFile, aspect: number): Promise<DocumentPhoto> => {
  const location = await locateDocument(file.bytes, aspect)
  const { frame, corners, inFrame, cutOff } = location
  if (!corners) {
    return {
      frame,
      corners,
      inFrame,
      cutOff,
      resolution: Math.min(frame.width, frame.height),
      sharpness: null,
      exposure: exposure(await greyAt(file.bytes)),
      glare: null,
      thumbnail: null,
    }
  }
  const document = await rectifyDocument(file.bytes, corners, aspect)
  const grey = await greyAt(document)
  const thumbnail = await sharp(document.data, { raw: document })
    .resize({ width: THUMBNAIL_WIDTH })
    .jpeg({ quality: 70 })
    .toBuffer()
  return {
    frame,
    corners,
    inFrame,
    cutOff,
    resolution: Math.round(quadSides(corners).short),
    sharpness: await sharpness(grey),
    exposure: exposure(grey),
    glare: await glare(grey),
    thumbnail: thumbnail.toString('base64'),
  }
}

const analyzeSelfie = async (file: SubmittedFile): Promise<SelfiePhoto> => {
  const metadata = await sharp(file.bytes).metadata()
  const grey = await greyAt(file.bytes)
  return {
    frame: { width: metadata.width, height: metadata.height },
    resolution: Math.min(metadata.width, metadata.height),
    exposure: exposure(grey),
    sharpness: await sharpness(grey),
  }
}

/**
 * The document's geometry and the photos' usability: where the document is on each side's photo,
 * whether all of it is in frame, and how sharp, exposed and glare-free it is, measured on the document
 * squared to its aspect; plus the selfie's size and exposure.
 */
export const documentAnalyzer: Analyzer<DocumentAnalysis> = {
  version: '1',
  async load() {
    try {
      await loadOpenCv()
    } catch (error) {
      throw new Error('document analyzer: opencv-js (@techstark/opencv-js) failed to load', { cause: error })
    }
  },
  async analyze(input: AnalysisInput) {
    const { document_front: front, document_back: back, selfie } = input.files
    if (!front && !back && !selfie) return undefined
    const aspect = documentAspect(input.documentType)
    return {
      ...(front ? { front: await analyzePhoto(front, aspect) } : {}),
      ...(back ? { back: await analyzePhoto(back, aspect) } : {}),
      ...(selfie ? { selfie: await analyzeSelfie(selfie) } : {}),
    }
  },
}
