import sharp from 'sharp'
import type { DocumentType } from '../../../../db/schema.ts'
import { loadOpenCv } from '../../../../lib/opencv.ts'
import { type Point, type Quad, quadSides } from './geometry.ts'

/**
 * Width over height of a document laid landscape: ID-1 cards (ISO/IEC 7810: ID cards, driving licences,
 * residence permits) are 85.6 × 54 mm; a passport's data page (ICAO 9303 TD3) is 125 × 88 mm.
 */
export const documentAspect = (documentType: DocumentType | null): number =>
  documentType === 'passport' ? 125 / 88 : 85.6 / 54

/** An RGB image as raw bytes. */
export type RawImage = { data: Buffer; width: number; height: number; channels: 3 }

/**
 * The document cut out of the photo and squared: the quad mapped (homography, opencv warpPerspective)
 * onto a rectangle of the document's aspect, by default as wide as the document is in the photo (full
 * resolution, nothing invented and nothing thrown away).
 */
export const rectifyDocument = async (
  photo: Uint8Array,
  corners: Quad,
  aspect: number,
  width = Math.round(quadSides(corners).long),
): Promise<RawImage> => {
  const { cv } = await loadOpenCv()
  const { data, info } = await sharp(photo).removeAlpha().raw().toBuffer({ resolveWithObject: true })
  const height = Math.round(width / aspect)
  const source = new cv.Mat(info.height, info.width, cv.CV_8UC3)
  const from = cv.matFromArray(
    4,
    1,
    cv.CV_32FC2,
    corners.flatMap((p) => [p.x, p.y]),
  )
  const to = cv.matFromArray(4, 1, cv.CV_32FC2, [0, 0, width, 0, width, height, 0, height])
  const transform = new cv.Mat()
  const warped = new cv.Mat()
  try {
    source.data.set(data)
    const homography = cv.getPerspectiveTransform(from, to)
    homography.copyTo(transform)
    homography.delete()
    cv.warpPerspective(
      source,
      warped,
      transform,
      new cv.Size(width, height),
      cv.INTER_LINEAR,
      cv.BORDER_REPLICATE,
    )
    return { data: Buffer.from(warped.data), width, height, channels: 3 }
  } finally {
    for (const mat of [source, from, to, transform, warped]) mat.delete()
  }
}

/**
 * Maps a point of the squared document (as rectifyDocument made it, `width` × `height`) back to the
 * photo: the inverse of its homography. Evidence found on the squared document (a face's box) is
 * reported in the uploaded photo's pixels like everything else.
 */
export const squaredToPhoto = async (
  corners: Quad,
  width: number,
  height: number,
): Promise<(point: Point) => Point> => {
  const { cv } = await loadOpenCv()
  const from = cv.matFromArray(4, 1, cv.CV_32FC2, [0, 0, width, 0, width, height, 0, height])
  const to = cv.matFromArray(
    4,
    1,
    cv.CV_32FC2,
    corners.flatMap((p) => [p.x, p.y]),
  )
  let m: number[]
  try {
    const homography = cv.getPerspectiveTransform(from, to)
    try {
      m = Array.from(homography.data64F)
    } finally {
      homography.delete()
    }
  } finally {
    from.delete()
    to.delete()
  }
  const [a, b, c, d, e, f, g, h, i] = m as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  return ({ x, y }) => {
    const w = g * x + h * y + i
    return { x: (a * x + b * y + c) / w, y: (d * x + e * y + f) / w }
  }
}
