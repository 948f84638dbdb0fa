import sharp from 'sharp'
import { loadOpenCv } from '../../../../lib/opencv.ts'
import { orderCorners, type Point, polygonArea, type Quad, quadSides } from './geometry.ts'

type OpenCv = Awaited<ReturnType<typeof loadOpenCv>>['cv']
type Mat = InstanceType<OpenCv['Mat']>

/** Width the edges are looked for at: enough for a card's outline, small enough to take ~20 ms. */
export const LOCATE_WORK_WIDTH = 480

/** A quad smaller than this share of the photo is a detail on the document (a portrait), not the document. */
const MIN_DOCUMENT_SHARE = 0.08

/** An outline running off the photo whose bounding box covers this share of it is a cut-off document. */
const CUT_OFF_SHARE = 0.1

/**
 * How far (as a factor) a quad's side ratio may be from the document's own: perspective and an angled
 * phone change it by a few per cent; a PDF417 (3:1) or a portrait (4:3) differ more.
 */
const ASPECT_TOLERANCE = 1.15

/** Corners closer than this to the photo's edge (work pixels) count as touching it. */
const BORDER_MARGIN = 2

/** Outlines looked at in full, largest first (the document is among the largest closed outlines). */
const CANDIDATES = 3

/**
 * The outline found is the outer edge of a dilated Canny edge: about this far (work pixels) outside the
 * document's true edge, measured on the fixtures (see the report).
 */
const OUTLINE_BIAS = 1.5

export type DocumentLocation = {
  /** The photo's own size (the corners are in its pixels). */
  frame: { width: number; height: number }
  /** The document's outline, top-left first with a long side on top; null when no document was found. */
  corners: Quad | null
  /**
   * The whole document is in the photo: its outline does not touch the photo's edge, and no outline
   * larger than it runs off the edge (which would mean the quad found is a detail of a document that
   * is itself cut off).
   */
  inFrame: boolean
  /**
   * Something document-sized runs off the photo's edge: the document is there but cut off. When no
   * document is found and nothing is cut off, the photo shows no document at all.
   */
  cutOff: boolean
}

type Line = { point: Point; direction: Point }

/** Total least squares line through points (their principal axis). */
const fitLine = (points: readonly Point[]): Line => {
  const n = points.length
  const mean = points.reduce((m, p) => ({ x: m.x + p.x / n, y: m.y + p.y / n }), { x: 0, y: 0 })
  let xx = 0
  let xy = 0
  let yy = 0
  for (const p of points) {
    xx += (p.x - mean.x) ** 2
    xy += (p.x - mean.x) * (p.y - mean.y)
    yy += (p.y - mean.y) ** 2
  }
  const angle = Math.atan2(2 * xy, xx - yy) / 2
  return { point: mean, direction: { x: Math.cos(angle), y: Math.sin(angle) } }
}

const intersect = (a: Line, b: Line): Point | undefined => {
  const cross = a.direction.x * b.direction.y - a.direction.y * b.direction.x
  if (Math.abs(cross) < 1e-6) return undefined
  const t = ((b.point.x - a.point.x) * b.direction.y - (b.point.y - a.point.y) * b.direction.x) / cross
  return { x: a.point.x + t * a.direction.x, y: a.point.y + t * a.direction.y }
}

/**
 * Refines the four rough corners: a line is fitted to the outline's points along each side (leaving out
 * the fifth of the side nearest each corner, where a card's rounded corners and the opening bend it), the
 * lines are moved inwards by the outline's bias, and adjacent lines intersect at the corners. This is
 * what puts a rounded card's corners where its straight edges meet.
 */
const refineCorners = (rough: readonly Point[], outline: readonly Point[]): Point[] | undefined => {
  const centre = {
    x: rough.reduce((s, p) => s + p.x, 0) / 4,
    y: rough.reduce((s, p) => s + p.y, 0) / 4,
  }
  const lines: Line[] = []
  for (let side = 0; side < 4; side++) {
    const a = rough[side] as Point
    const b = rough[(side + 1) % 4] as Point
    const length = Math.hypot(b.x - a.x, b.y - a.y)
    const along = { x: (b.x - a.x) / length, y: (b.y - a.y) / length }
    const near = outline.filter((p) => {
      const t = (p.x - a.x) * along.x + (p.y - a.y) * along.y
      const off = Math.abs((p.x - a.x) * along.y - (p.y - a.y) * along.x)
      return t > length * 0.2 && t < length * 0.8 && off < Math.max(4, length * 0.04)
    })
    if (near.length < 5) return undefined
    const line = fitLine(near)
    const normal = { x: -line.direction.y, y: line.direction.x }
    const towardsCentre =
      (centre.x - line.point.x) * normal.x + (centre.y - line.point.y) * normal.y > 0 ? 1 : -1
    lines.push({
      point: {
        x: line.point.x + normal.x * towardsCentre * OUTLINE_BIAS,
        y: line.point.y + normal.y * towardsCentre * OUTLINE_BIAS,
      },
      direction: line.direction,
    })
  }
  const corners: Point[] = []
  for (let side = 0; side < 4; side++) {
    const corner = intersect(lines[(side + 3) % 4] as Line, lines[side] as Line)
    if (!corner) return undefined
    corners.push(corner)
  }
  return corners
}

const pointsOf = (contour: Mat): Point[] => {
  const points: Point[] = []
  for (let row = 0; row < contour.rows; row++) {
    points.push({ x: contour.data32S[row * 2] as number, y: contour.data32S[row * 2 + 1] as number })
  }
  return points
}

/**
 * Edges of the photo, per colour channel: a dark blue card header on a brown table has the same grey
 * level as the table, but not the same blue.
 */
const colourEdges = (cv: OpenCv, rgb: Mat): Mat => {
  const channels = new cv.MatVector()
  const edges = cv.Mat.zeros(rgb.rows, rgb.cols, cv.CV_8UC1)
  const channelEdges = new cv.Mat()
  try {
    cv.split(rgb, channels)
    for (let c = 0; c < 3; c++) {
      const channel = channels.get(c)
      cv.Canny(channel, channelEdges, 15, 45)
      cv.bitwise_or(edges, channelEdges, edges)
      channel.delete()
    }
    return edges
  } finally {
    channels.delete()
    channelEdges.delete()
  }
}

/**
 * Finds the document's four corners on a photo (`aspect`: the document's width over height), at 480 px: Canny 15/45 per colour channel → dilate →
 * external contours; the largest closed outlines are filled and opened, which cuts off the table's
 * texture lines that hang on the document's edge, and the largest convex 4-point approximation of what
 * is left is the document. The low Canny thresholds are what find a light card on a light table
 * (40/120 lost 7 of 10 such photos in the measurements, checks-stack.md §6).
 */
const locate = async (photo: Uint8Array, aspect: number): Promise<DocumentLocation> => {
  const { cv } = await loadOpenCv()
  const metadata = await sharp(photo).metadata()
  const frame = { width: metadata.width, height: metadata.height }
  const { data, info } = await sharp(photo)
    .removeAlpha()
    .resize({ width: LOCATE_WORK_WIDTH })
    .raw()
    .toBuffer({ resolveWithObject: true })
  const width = info.width
  const height = info.height
  const scale = frame.width / width
  const touches = (x: number, y: number) =>
    x <= BORDER_MARGIN ||
    y <= BORDER_MARGIN ||
    x >= width - 1 - BORDER_MARGIN ||
    y >= height - 1 - BORDER_MARGIN

  const rgb = new cv.Mat(height, width, info.channels === 1 ? cv.CV_8UC1 : cv.CV_8UC3)
  rgb.data.set(data)
  // Sensor noise and JPEG blocks make short edges of their own at Canny 15/45; a light blur removes most.
  cv.GaussianBlur(rgb, rgb, new cv.Size(5, 5), 0)
  const edges = info.channels === 1 ? new cv.Mat() : colourEdges(cv, rgb)
  if (info.channels === 1) cv.Canny(rgb, edges, 15, 45)
  const small = cv.Mat.ones(3, 3, cv.CV_8U)
  const opening = cv.getStructuringElement(cv.MORPH_RECT, new cv.Size(9, 9))
  const contours = new cv.MatVector()
  const hierarchy = new cv.Mat()
  const mask = new cv.Mat()
  const inner = new cv.MatVector()
  try {
    cv.dilate(edges, edges, small)
    cv.findContours(edges, contours, hierarchy, cv.RETR_EXTERNAL, cv.CHAIN_APPROX_SIMPLE)

    const outlines: { index: number; area: number }[] = []
    const offEdge = new Map<number, number>()
    for (let i = 0; i < contours.size(); i++) {
      const contour = contours.get(i)
      const rect = cv.boundingRect(contour)
      if (touches(rect.x, rect.y) || touches(rect.x + rect.width - 1, rect.y + rect.height - 1)) {
        // An outline that runs off the photo is open: its bounding box is the size it stands for.
        offEdge.set(i, rect.width * rect.height)
      }
      outlines.push({ index: i, area: cv.contourArea(contour) })
      contour.delete()
    }
    outlines.sort((a, b) => b.area - a.area)

    let best: { rough: Point[]; outline: Point[]; area: number; index: number } | undefined
    for (const { index, area } of outlines.slice(0, CANDIDATES)) {
      if (area < MIN_DOCUMENT_SHARE * width * height) break
      mask.create(height, width, cv.CV_8UC1)
      mask.setTo(new cv.Scalar(0))
      cv.drawContours(mask, contours, index, new cv.Scalar(255), cv.FILLED)
      cv.morphologyEx(mask, mask, cv.MORPH_OPEN, opening)
      cv.findContours(mask, inner, hierarchy, cv.RETR_EXTERNAL, cv.CHAIN_APPROX_NONE)
      for (let j = 0; j < inner.size(); j++) {
        const contour = inner.get(j)
        const approx = new cv.Mat()
        try {
          cv.approxPolyDP(contour, approx, 0.02 * cv.arcLength(contour, true), true)
          if (approx.rows !== 4 || !cv.isContourConvex(approx)) continue
          const rough = pointsOf(approx)
          const quadArea = polygonArea(rough)
          if (quadArea < MIN_DOCUMENT_SHARE * width * height) continue
          // A barcode, a portrait or a text block is a rectangle too, but not of the document's shape.
          const sides = quadSides(orderCorners(rough))
          const ratio = sides.long / sides.short
          if (ratio < aspect / ASPECT_TOLERANCE || ratio > aspect * ASPECT_TOLERANCE) continue
          if (!best || quadArea > best.area)
            best = { rough, outline: pointsOf(contour), area: quadArea, index }
        } finally {
          approx.delete()
          contour.delete()
        }
      }
    }
    if (!best) {
      const largest = Math.max(0, ...offEdge.values())
      return { frame, corners: null, inFrame: false, cutOff: largest >= CUT_OFF_SHARE * width * height }
    }
    const quadTouches = best.outline.some((p) => touches(p.x, p.y))
    // The document's own outline may touch the edge through texture lines the opening cut off; any
    // other outline that runs off the photo and is larger than the document means the document itself
    // is cut off and the quad is a detail of it.
    const { index } = best
    const largestOffEdge = Math.max(0, ...[...offEdge].filter(([i]) => i !== index).map(([, box]) => box))
    const refined = refineCorners(best.rough, best.outline) ?? best.rough
    const corners = orderCorners(refined.map((p) => ({ x: (p.x + 0.5) * scale, y: (p.y + 0.5) * scale })))
    const xs = best.rough.map((p) => p.x)
    const ys = best.rough.map((p) => p.y)
    const quadBox = (Math.max(...xs) - Math.min(...xs)) * (Math.max(...ys) - Math.min(...ys))
    const inFrame = !quadTouches && largestOffEdge <= quadBox
    return { frame, corners, inFrame, cutOff: !inFrame }
  } finally {
    for (const mat of [rgb, edges, small, opening, contours, hierarchy, mask, inner]) mat.delete()
  }
}

const located = new WeakMap<Uint8Array, Map<number, Promise<DocumentLocation>>>()

/**
 * The document's location on a photo, found once per photo: the document and barcode analyzers both
 * need it, and they are handed the same file.
 */
export const locateDocument = (photo: Uint8Array, aspect: number): Promise<DocumentLocation> => {
  let byAspect = located.get(photo)
  if (!byAspect) {
    byAspect = new Map()
    located.set(photo, byAspect)
  }
  let location = byAspect.get(aspect)
  if (!location) {
    location = locate(photo, aspect)
    byAspect.set(aspect, location)
  }
  return location
}
