/** A point in an image, in pixels. */
export type Point = { x: number; y: number }

/** Four corners in the order top-left, top-right, bottom-right, bottom-left. */
export type Quad = [Point, Point, Point, Point]

const distance = (a: Point, b: Point) => Math.hypot(a.x - b.x, a.y - b.y)

/**
 * Orders four corners top-left, top-right, bottom-right, bottom-left around their centre, then turns
 * the order so that the first edge (top) is a long side: documents are read landscape, whichever way
 * the phone was held.
 */
export const orderCorners = (points: readonly Point[]): Quad => {
  const centre = {
    x: points.reduce((sum, p) => sum + p.x, 0) / points.length,
    y: points.reduce((sum, p) => sum + p.y, 0) / points.length,
  }
  const clockwise = [...points].sort(
    (a, b) => Math.atan2(a.y - centre.y, a.x - centre.x) - Math.atan2(b.y - centre.y, b.x - centre.x),
  )
  // Image y grows downwards, so increasing atan2 runs clockwise on screen; start at the top-left.
  let start = 0
  clockwise.forEach((p, index) => {
    const best = clockwise[start] as Point
    if (p.x + p.y < best.x + best.y) start = index
  })
  let ordered = [0, 1, 2, 3].map((i) => clockwise[(start + i) % 4] as Point)
  const [a, b, , d] = ordered as Quad
  if (distance(a, b) < distance(a, d)) ordered = [ordered[3], ordered[0], ordered[1], ordered[2]] as Point[]
  return ordered as Quad
}

/** The quad's side lengths, averaged over opposite sides: its long and short side in pixels. */
export const quadSides = (quad: Quad): { long: number; short: number } => {
  const [tl, tr, br, bl] = quad
  const top = (distance(tl, tr) + distance(bl, br)) / 2
  const side = (distance(tl, bl) + distance(tr, br)) / 2
  return { long: Math.max(top, side), short: Math.min(top, side) }
}

/** Shoelace area of a polygon. */
export const polygonArea = (points: readonly Point[]): number => {
  let twice = 0
  for (let i = 0; i < points.length; i++) {
    const p = points[i] as Point
    const q = points[(i + 1) % points.length] as Point
    twice += p.x * q.y - q.x * p.y
  }
  return Math.abs(twice) / 2
}
