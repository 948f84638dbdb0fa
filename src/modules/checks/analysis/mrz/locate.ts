import sharp from 'sharp'
import { loadOpenCv } from '../../../../lib/opencv.ts'

type OpenCv = Awaited<ReturnType<typeof loadOpenCv>>['cv']
type Mat = InstanceType<OpenCv['Mat']>

export type Point = { x: number; y: number }

/** A text-line candidate: a long thin blob of vertical strokes, as its axis and thickness. */
type Segment = { centre: Point; angle: number; length: number; thickness: number; ink: number }

/** The MRZ band found on a photo: its lines' count, where it is, and the band rectified in grey. */
export type LocatedBand = {
  lineCount: 2 | 3
  /** Top-left, top-right, bottom-right, bottom-left, in the photo's pixels. */
  quad: Point[]
  /** The rectified band, grey (0 black … 255 white), one byte per pixel. */
  band: { data: Uint8Array; width: number; height: number }
  /** Each line's length divided by its thickness in the photo, a hint for the pitch (TD2 vs TD3). */
  aspect: number
}

/** Detection runs at this width; the band is warped from the full image. */
const WORK_WIDTH = 1000
/** The largest side of the full image kept for the warp (phone photos are downscaled to this first). */
const MAX_SIDE = 2400
/** Rectified line thickness, in band pixels: about the reader's template glyph height. */
const BAND_LINE_THICKNESS = 26

const rectangle = (cv: OpenCv, width: number, height: number) =>
  cv.getStructuringElement(cv.MORPH_RECT, new cv.Size(width, height))

/**
 * The mask of text-like regions: dark strokes (blackhat), their vertical edges (|∂x|), joined along
 * the line (horizontal closing), thresholded (Otsu) and cleaned (opening).
 */
const textMask = (cv: OpenCv, grey: Mat): Mat => {
  const blackhat = new cv.Mat()
  const kernel = rectangle(cv, 21, 9)
  cv.morphologyEx(grey, blackhat, cv.MORPH_BLACKHAT, kernel)
  const gradient = new cv.Mat()
  cv.Sobel(blackhat, gradient, cv.CV_32F, 1, 0, 3)
  const magnitude = new cv.Mat()
  cv.convertScaleAbs(gradient, magnitude)
  const normalised = new cv.Mat()
  cv.normalize(magnitude, normalised, 0, 255, cv.NORM_MINMAX, cv.CV_8U)
  const closed = new cv.Mat()
  const joining = rectangle(cv, 19, 1)
  cv.morphologyEx(normalised, closed, cv.MORPH_CLOSE, joining)
  const mask = new cv.Mat()
  const otsu = cv.threshold(closed, mask, 0, 255, cv.THRESH_BINARY | cv.THRESH_OTSU)
  // A near-blank photo gives a tiny Otsu level that turns noise into blobs: hold it to a floor.
  if (otsu < 20) cv.threshold(closed, mask, 20, 255, cv.THRESH_BINARY)
  const cleaning = rectangle(cv, 3, 3)
  cv.morphologyEx(mask, mask, cv.MORPH_OPEN, cleaning)
  for (const mat of [blackhat, kernel, gradient, magnitude, normalised, closed, joining, cleaning])
    mat.delete()
  return mask
}

/** Every blob of the mask as a segment (minimum-area rectangle), with its fill ratio as `ink`. */
const segmentsOf = (cv: OpenCv, mask: Mat): Segment[] => {
  const contours = new cv.MatVector()
  const hierarchy = new cv.Mat()
  cv.findContours(mask, contours, hierarchy, cv.RETR_EXTERNAL, cv.CHAIN_APPROX_SIMPLE)
  const segments: Segment[] = []
  for (let index = 0; index < contours.size(); index++) {
    const contour = contours.get(index)
    const area = cv.contourArea(contour)
    if (area >= 12) {
      const box = cv.minAreaRect(contour)
      const wide = box.size.width >= box.size.height
      const length = wide ? box.size.width : box.size.height
      const thickness = Math.max(1, wide ? box.size.height : box.size.width)
      let angle = ((wide ? box.angle : box.angle + 90) * Math.PI) / 180
      // Text lines are read left to right: fold the axis into (-π/2, π/2].
      if (angle > Math.PI / 2) angle -= Math.PI
      if (angle <= -Math.PI / 2) angle += Math.PI
      segments.push({ centre: box.center, angle, length, thickness, ink: area / (length * thickness) })
    }
    contour.delete()
  }
  contours.delete()
  hierarchy.delete()
  return segments
}

const endpoints = (segment: Segment): [Point, Point] => {
  const dx = (Math.cos(segment.angle) * segment.length) / 2
  const dy = (Math.sin(segment.angle) * segment.length) / 2
  return [
    { x: segment.centre.x - dx, y: segment.centre.y - dy },
    { x: segment.centre.x + dx, y: segment.centre.y + dy },
  ]
}

/** Offset of a point across and along a segment's axis. */
const relative = (segment: Segment, point: Point) => {
  const dx = point.x - segment.centre.x
  const dy = point.y - segment.centre.y
  const cos = Math.cos(segment.angle)
  const sin = Math.sin(segment.angle)
  return { along: dx * cos + dy * sin, across: -dx * sin + dy * cos }
}

/**
 * Joins fragments of one text line: a line split by a wide gap or a dip in contrast is one line if the
 * pieces are collinear (across-offset < half their thickness) and close (gap < 2.5 thicknesses).
 */
const mergeCollinear = (input: Segment[]): Segment[] => {
  const segments = [...input]
  let merged = true
  while (merged) {
    merged = false
    for (let i = 0; i < segments.length && !merged; i++)
      for (let j = i + 1; j < segments.length && !merged; j++) {
        const a = segments[i] as Segment
        const b = segments[j] as Segment
        const thickness = Math.max(a.thickness, b.thickness)
        if (Math.abs(a.angle - b.angle) > 0.12 && a.length > 3 * a.thickness && b.length > 3 * b.thickness)
          continue
        const offset = relative(a, b.centre)
        if (Math.abs(offset.across) > 0.5 * thickness) continue
        const gap = Math.abs(offset.along) - a.length / 2 - b.length / 2
        if (gap > 2.5 * thickness) continue
        const along = [...endpoints(a), ...endpoints(b)].map((point) => relative(a, point).along)
        const from = Math.min(...along)
        const to = Math.max(...along)
        const middle = (from + to) / 2
        const longer = a.length >= b.length ? a : b
        const length = to - from
        segments[i] = {
          centre: {
            x: a.centre.x + Math.cos(a.angle) * middle - Math.sin(a.angle) * offset.across * 0.5,
            y: a.centre.y + Math.sin(a.angle) * middle + Math.cos(a.angle) * offset.across * 0.5,
          },
          angle: longer.angle,
          length,
          thickness: (a.thickness * a.length + b.thickness * b.length) / (a.length + b.length),
          ink: (a.ink * a.length * a.thickness + b.ink * b.length * b.thickness) / (length * thickness),
        }
        segments.splice(j, 1)
        merged = true
      }
  }
  return segments
}

/**
 * The MRZ lines among the text lines: 2 or 3 long, parallel lines of about the same length, stacked at
 * a line pitch of 1.1–3.2 thicknesses. The group with the most text wins (a 3-line group over 2 of its lines).
 */
const mrzLines = (segments: Segment[], imageWidth: number): Segment[] | undefined => {
  const long = segments
    .filter(
      (segment) =>
        segment.length >= 0.22 * imageWidth && segment.length >= 8 * segment.thickness && segment.ink > 0.3,
    )
    .sort((a, b) => a.centre.y - b.centre.y)
  let best: Segment[] | undefined
  let bestScore = 0
  const alike = (a: Segment, b: Segment) => {
    if (Math.abs(a.angle - b.angle) > 0.05) return false
    if (Math.abs(a.length - b.length) > 0.3 * Math.max(a.length, b.length)) return false
    const spacing = Math.abs(relative(a, b.centre).across)
    const thickness = (a.thickness + b.thickness) / 2
    return (
      spacing >= 1.1 * thickness &&
      spacing <= 3.2 * thickness &&
      Math.abs(relative(a, b.centre).along) < 0.3 * a.length
    )
  }
  for (let i = 0; i < long.length; i++) {
    const first = long[i] as Segment
    const group = [first]
    for (let j = i + 1; j < long.length && group.length < 3; j++) {
      const next = long[j] as Segment
      if (alike(group[group.length - 1] as Segment, next)) group.push(next)
    }
    if (group.length < 2) continue
    const score = group.reduce((sum, segment) => sum + segment.length, 0)
    if (score > bestScore) {
      bestScore = score
      best = group
    }
  }
  return best
}

/** The band's corners around its outer lines, padded along (1.5 line heights: the ends of a line, often fillers, may be fainter and split off) and across (0.45). */
const bandQuad = (lines: Segment[]): Point[] => {
  const first = lines[0] as Segment
  const last = lines[lines.length - 1] as Segment
  const thickness = lines.reduce((sum, line) => sum + line.thickness, 0) / lines.length
  const angle = lines.reduce((sum, line) => sum + line.angle, 0) / lines.length
  const along = { x: Math.cos(angle), y: Math.sin(angle) }
  const across = { x: -Math.sin(angle), y: Math.cos(angle) }
  const pad = 1.5 * thickness
  const ends = lines.flatMap(endpoints).map((point) => relative({ ...first, angle }, point).along)
  const from = Math.min(...ends) - pad
  const to = Math.max(...ends) + pad
  const top = -(thickness / 2 + 0.45 * thickness)
  const bottom = relative({ ...first, angle }, last.centre).across + thickness / 2 + 0.45 * thickness
  const at = (s: number, t: number): Point => ({
    x: first.centre.x + along.x * s + across.x * t,
    y: first.centre.y + along.y * s + across.y * t,
  })
  return [at(from, top), at(to, top), at(to, bottom), at(from, bottom)]
}

const distance = (a: Point, b: Point) => Math.hypot(a.x - b.x, a.y - b.y)

/**
 * Finds the MRZ band on a photo of a document page (passport data page, ID card) and rectifies it, or
 * `undefined` when there is none: blackhat → |∂x| → horizontal closing → Otsu → blobs → collinear merge →
 * 2–3 parallel lines → quad → perspective warp from the full-resolution grey image. The number of lines
 * found tells TD1 (3) from TD2/TD3 (2).
 */
export const locateMrz = async (jpeg: Uint8Array): Promise<LocatedBand | undefined> => {
  const { cv } = await loadOpenCv()
  const { data, info } = await sharp(jpeg)
    .rotate()
    .resize({ width: MAX_SIDE, height: MAX_SIDE, fit: 'inside', withoutEnlargement: true })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true })
  const full = new cv.Mat(info.height, info.width, cv.CV_8UC1)
  full.data.set(data)
  const scale = WORK_WIDTH / info.width
  const work = new cv.Mat()
  cv.resize(full, work, new cv.Size(WORK_WIDTH, Math.round(info.height * scale)), 0, 0, cv.INTER_AREA)
  try {
    const mask = textMask(cv, work)
    const segments = mergeCollinear(segmentsOf(cv, mask))
    mask.delete()
    const lines = mrzLines(segments, WORK_WIDTH)
    if (!lines) return undefined
    const quad = bandQuad(lines).map((point) => ({ x: point.x / scale, y: point.y / scale }))
    const thickness = lines.reduce((sum, line) => sum + line.thickness, 0) / lines.length / scale
    const zoom = BAND_LINE_THICKNESS / thickness
    const [topLeft, topRight, , bottomLeft] = quad as [Point, Point, Point, Point]
    const width = Math.round(distance(topLeft, topRight) * zoom)
    const height = Math.round(distance(topLeft, bottomLeft) * zoom)
    const from = cv.matFromArray(
      4,
      1,
      cv.CV_32FC2,
      quad.flatMap((point) => [point.x, point.y]),
    )
    const to = cv.matFromArray(4, 1, cv.CV_32FC2, [0, 0, width, 0, width, height, 0, height])
    const transform = cv.getPerspectiveTransform(from, to)
    const band = new cv.Mat()
    cv.warpPerspective(
      full,
      band,
      transform,
      new cv.Size(width, height),
      cv.INTER_LINEAR,
      cv.BORDER_REPLICATE,
    )
    const result: LocatedBand = {
      lineCount: lines.length as 2 | 3,
      quad,
      band: { data: Uint8Array.from(band.data), width, height },
      aspect: lines.reduce((sum, line) => sum + line.length / line.thickness, 0) / lines.length,
    }
    for (const mat of [from, to, transform, band]) mat.delete()
    return result
  } finally {
    full.delete()
    work.delete()
  }
}
