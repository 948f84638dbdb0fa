import { CLASS_CHARACTERS, LAYOUTS, type MrzFormat } from './formats.ts'
import type { Glyph, GlyphSet } from './glyphs.ts'

/** A grey image, one byte per pixel (0 black … 255 white). */
export type GreyImage = { data: Uint8Array; width: number; height: number }

/** One cell's reading: the best glyphs, best first, with their correlation (NCC, −1 … 1). */
export type CellReading = { candidates: { character: string; score: number }[] }

export type BandReading = {
  format: MrzFormat
  lines: string[]
  cells: CellReading[][]
  /** How periodic the band looked at the chosen format's pitch (autocorrelation, 0 … 1). */
  periodicity: number
}

/** A float image (ink 0 … 1). */
type Plane = { data: Float32Array; width: number; height: number }

/** Margins of the template-scale line image around the template window (search room). */
const MARGIN_X = 12
const MARGIN_Y = 5
/** Search around the predicted cell position, in template pixels. */
const SEARCH_FIRST = { x: 8, y: 4 }
const SEARCH_TRACK = { x: 4, y: 2 }
const SEARCH_FINAL = { x: 2, y: 1 }
/** A glyph's ink starts this share of the pitch left of its cell centre (OCR-B's wide glyphs). */
const HALF_GLYPH = 0.335
const CANDIDATES_KEPT = 3
/** Cells are located with moderately blurred templates (robust to any photo); LEVEL_SAMPLE cells pick the level read with. */
const TRACKING_LEVEL = 2
const LEVEL_SAMPLE = 10
/**
 * Vertical stretches tried against the pitch-derived scale: perspective leaves the band a little taller
 * or flatter than the pitch implies, and OCR-B's 0 differs from its O mostly in height.
 */
const STRETCHES = [1, 0.93, 1.07] as const
const NOMINAL_STRETCH = 0
/** Ink below this (0 … 1) is background print, not a glyph stroke, when measuring the line's ends. */
const FAINT_INK = 0.35

/** Ink (paper 0 … strokes 1) from grey, stretched between the band's paper and stroke levels. */
const inkOf = (image: GreyImage): Plane => {
  const histogram = new Uint32Array(256)
  for (const value of image.data) histogram[value] = (histogram[value] ?? 0) + 1
  const percentile = (share: number) => {
    let seen = 0
    for (let level = 0; level < 256; level++) {
      seen += histogram[level] ?? 0
      if (seen >= share * image.data.length) return level
    }
    return 255
  }
  const stroke = percentile(0.03)
  const paper = percentile(0.7)
  const range = Math.max(16, paper - stroke)
  const data = new Float32Array(image.data.length)
  for (let index = 0; index < data.length; index++)
    data[index] = Math.min(1, Math.max(0, (paper - (image.data[index] as number)) / range))
  return { data, width: image.width, height: image.height }
}

const rowProfile = (plane: Plane, from = 0, to = plane.height): Float64Array => {
  const profile = new Float64Array(to - from)
  for (let y = from; y < to; y++) {
    let sum = 0
    for (let x = 0; x < plane.width; x++) sum += plane.data[y * plane.width + x] as number
    profile[y - from] = sum
  }
  return profile
}

/** Runs of rows above `level`·max: the text lines (or the ink rows of one line). */
const runs = (profile: Float64Array, level: number): { from: number; to: number; mass: number }[] => {
  let peak = 0
  for (const value of profile) peak = Math.max(peak, value)
  const found: { from: number; to: number; mass: number }[] = []
  let start = -1
  let mass = 0
  for (let index = 0; index <= profile.length; index++) {
    const value = index < profile.length ? (profile[index] as number) : 0
    if (value > level * peak) {
      if (start < 0) start = index
      mass += value
    } else if (start >= 0) {
      found.push({ from: start, to: index, mass })
      start = -1
      mass = 0
    }
  }
  return found
}

const sample = (plane: Plane, x: number, y: number): number => {
  if (x < 0 || y < 0 || x > plane.width - 1 || y > plane.height - 1) return 0
  const x0 = Math.floor(x)
  const y0 = Math.floor(y)
  const x1 = Math.min(x0 + 1, plane.width - 1)
  const y1 = Math.min(y0 + 1, plane.height - 1)
  const fx = x - x0
  const fy = y - y0
  const row0 = y0 * plane.width
  const row1 = y1 * plane.width
  return (
    ((plane.data[row0 + x0] as number) * (1 - fx) + (plane.data[row0 + x1] as number) * fx) * (1 - fy) +
    ((plane.data[row1 + x0] as number) * (1 - fx) + (plane.data[row1 + x1] as number) * fx) * fy
  )
}

/**
 * The shear that makes the strokes of a line vertical: residual perspective and italic-looking slant
 * smear the column projection, and the sharpest projection (largest energy) is the upright one.
 */
const bestShear = (plane: Plane, from: number, to: number): number => {
  const centre = (from + to) / 2
  const columns = new Float64Array(plane.width)
  const energyAt = (shear: number) => {
    columns.fill(0)
    for (let y = from; y < to; y++) {
      const offset = Math.round(shear * (y - centre))
      const row = y * plane.width
      const start = Math.max(0, offset)
      const end = Math.min(plane.width, plane.width + offset)
      for (let x = start; x < end; x++)
        columns[x - offset] = (columns[x - offset] as number) + (plane.data[row + x] as number)
    }
    let energy = 0
    for (const value of columns) energy += value * value
    return energy
  }
  // Coarse to fine: the energy is smooth in the shear.
  let best = 0
  for (const step of [0.05, 0.02, 0.01]) {
    let bestEnergy = -1
    const around = best
    for (
      let shear = around - (step === 0.05 ? 0.2 : step * 2);
      shear <= around + (step === 0.05 ? 0.2 : step * 2) + 1e-9;
      shear += step
    ) {
      const energy = energyAt(shear)
      if (energy > bestEnergy) {
        bestEnergy = energy
        best = shear
      }
    }
  }
  return best
}

/** Normalised autocorrelation of a profile at a (fractional) lag. */
const autocorrelation = (profile: Float64Array, lag: number): number => {
  let mean = 0
  for (const value of profile) mean += value
  mean /= profile.length
  let numerator = 0
  let denominator = 0
  for (let index = 0; index < profile.length; index++) {
    const a = (profile[index] as number) - mean
    denominator += a * a
    const at = index + lag
    const low = Math.floor(at)
    if (low + 1 >= profile.length) continue
    const b = (profile[low] as number) * (1 - (at - low)) + (profile[low + 1] as number) * (at - low) - mean
    numerator += a * b
  }
  return denominator > 0 ? numerator / denominator : 0
}

type LineGeometry = {
  top: number
  bottom: number
  baseline: number
  inkHeight: number
  shear: number
  firstInk: number
  lastInk: number
  columns: Float64Array
}

const lineGeometry = (plane: Plane, from: number, to: number): LineGeometry | undefined => {
  // The line's own rows: the heaviest run of ink rows, joined with runs split from it by a row or two
  // (a stroke-free row). The padded window also holds the edges of the neighbouring lines: not those.
  const ink = runs(rowProfile(plane, from, to), 0.3)
  if (ink.length === 0) return undefined
  const heaviest = ink.reduce((best, run) => (run.mass > best.mass ? run : best))
  let top = heaviest.from
  let bottom = heaviest.to
  for (const run of [...ink].sort((a, b) => b.from - a.from))
    if (run.to < top && top - run.to <= 2) top = run.from
  for (const run of [...ink].sort((a, b) => a.from - b.from))
    if (run.from > bottom && run.from - bottom <= 2) bottom = run.to
  top += from
  bottom += from
  const shear = bestShear(plane, top, bottom)
  const centre = (from + to) / 2
  const columns = new Float64Array(plane.width)
  // Faint ink (guilloche, paper texture) is left out of the projection: it must not pass for a glyph
  // at the ends of the line, where the pitch is measured from.
  for (let y = top; y < bottom; y++)
    for (let x = 0; x < plane.width; x++) {
      const value = sample(plane, x + shear * (y - centre), y)
      if (value > FAINT_INK) columns[x] = (columns[x] as number) + (value - FAINT_INK)
    }
  let peak = 0
  for (const value of columns) peak = Math.max(peak, value)
  // Runs of inked columns; one touching the band's edge is what lies beyond the document (the table,
  // a sleeve), since the band is padded around the text.
  const inked: { from: number; to: number }[] = []
  for (let x = 0; x < plane.width; x++)
    if ((columns[x] as number) > 0.15 * peak) {
      const last = inked[inked.length - 1]
      if (last && last.to === x - 1) last.to = x
      else inked.push({ from: x, to: x })
    }
  const edge = 3
  const text = inked.filter((run) => run.from > edge && run.to < plane.width - 1 - edge)
  const firstInk = text[0]?.from ?? -1
  const lastInk = text[text.length - 1]?.to ?? -1
  if (firstInk < 0 || lastInk <= firstInk) return undefined
  return {
    top: from,
    bottom: to,
    baseline: bottom,
    inkHeight: bottom - top,
    shear,
    firstInk,
    lastInk,
    columns,
  }
}

/** The line resampled to template scale (pitch → templates' pitch), upright, baseline at a fixed row. */
const normaliseLine = (
  plane: Plane,
  geometry: LineGeometry,
  pitch: number,
  glyphs: GlyphSet,
  cellCount: number,
  stretch: number,
): { image: Plane; firstCentre: number } => {
  const scale = glyphs.pitch / pitch
  const firstCentreSource = geometry.firstInk + HALF_GLYPH * pitch
  const width = Math.ceil(cellCount * glyphs.pitch + 2 * MARGIN_X + glyphs.width)
  const height = glyphs.height + 2 * MARGIN_Y
  const data = new Float32Array(width * height)
  // Template x = MARGIN_X + glyphs.width / 2 is the first cell's centre.
  const originX = MARGIN_X + glyphs.width / 2
  const centreY = (geometry.top + geometry.bottom) / 2
  for (let y = 0; y < height; y++) {
    const sourceY = geometry.baseline + (y - MARGIN_Y - glyphs.baseline) / (scale * stretch)
    const offset = geometry.shear * (sourceY - centreY)
    for (let x = 0; x < width; x++) {
      const sourceX = firstCentreSource + (x - originX) / scale
      data[y * width + x] = sample(plane, sourceX + offset, sourceY)
    }
  }
  return { image: { data, width, height }, firstCentre: originX }
}

type Match = { character: string; score: number; x: number; y: number }

/** NCC of every allowed glyph at every offset around (x, y) (the window's centre column and top row). */
const matchCell = (
  image: Plane,
  glyphs: GlyphSet,
  allowed: readonly Glyph[],
  x: number,
  y: number,
  search: { x: number; y: number },
): Match[] => {
  const best = new Map<string, Match>()
  const size = glyphs.width * glyphs.height
  const patch = new Float32Array(size)
  for (let dy = -search.y; dy <= search.y; dy++)
    for (let dx = -search.x; dx <= search.x; dx++) {
      const left = Math.round(x + dx - glyphs.width / 2)
      const top = Math.round(y + dy)
      if (left < 0 || top < 0 || left + glyphs.width > image.width || top + glyphs.height > image.height)
        continue
      let mean = 0
      for (let row = 0; row < glyphs.height; row++)
        for (let column = 0; column < glyphs.width; column++) {
          const value = image.data[(top + row) * image.width + left + column] as number
          patch[row * glyphs.width + column] = value
          mean += value
        }
      mean /= size
      let norm = 0
      for (let index = 0; index < size; index++) {
        const value = (patch[index] as number) - mean
        patch[index] = value
        norm += value * value
      }
      norm = Math.sqrt(norm)
      if (norm < 1e-6) continue
      for (const glyph of allowed) {
        let dot = 0
        const weights = glyph.weights
        for (let index = 0; index < size; index++)
          dot += (patch[index] as number) * (weights[index] as number)
        const score = dot / norm
        const previous = best.get(glyph.character)
        if (!previous || score > previous.score)
          best.set(glyph.character, { character: glyph.character, score, x: left + glyphs.width / 2, y: top })
      }
    }
  return [...best.values()].sort((a, b) => b.score - a.score)
}

/** Least-squares polynomial (degree 1 or 2) through (i, value) points, as a function of i. */
const fitPolynomial = (points: { i: number; value: number }[], degree: 1 | 2): ((i: number) => number) => {
  const size = degree + 1
  // Normal equations, solved by Gaussian elimination (3×3 at most); i is centred for conditioning.
  const centre = points.reduce((sum, point) => sum + point.i, 0) / points.length
  const matrix = Array.from({ length: size }, () => new Float64Array(size + 1))
  for (const point of points) {
    const powers = [1, point.i - centre, (point.i - centre) ** 2].slice(0, size)
    for (let row = 0; row < size; row++) {
      for (let column = 0; column < size; column++)
        (matrix[row] as Float64Array)[column] =
          ((matrix[row] as Float64Array)[column] as number) +
          (powers[row] as number) * (powers[column] as number)
      ;(matrix[row] as Float64Array)[size] =
        ((matrix[row] as Float64Array)[size] as number) + (powers[row] as number) * point.value
    }
  }
  for (let pivot = 0; pivot < size; pivot++) {
    const pivotRow = matrix[pivot] as Float64Array
    const lead = pivotRow[pivot] as number
    if (Math.abs(lead) < 1e-9) return fitPolynomial(points, 1)
    for (let row = 0; row < size; row++) {
      if (row === pivot) continue
      const current = matrix[row] as Float64Array
      const factor = (current[pivot] as number) / lead
      for (let column = pivot; column <= size; column++)
        current[column] = (current[column] as number) - factor * (pivotRow[column] as number)
    }
  }
  const coefficients = matrix.map((row, index) => (row[size] as number) / (row[index] as number))
  return (i) => coefficients.reduce((sum, coefficient, power) => sum + coefficient * (i - centre) ** power, 0)
}

/** Every TRACK_STRIDE-th cell is located first; the cells between are read at the fitted positions. */
const TRACK_STRIDE = 2

/**
 * Reads one line of known format and length. First it locates every other cell, left to right, each
 * predicted from the local pitch of the cells located just before it: residual perspective makes the
 * pitch change along the line (foreshortening), which a single pitch would not follow. Then it fits
 * the cell positions with a quadratic (the shape foreshortening gives) and reads every cell at its
 * fitted position, against only the glyphs its position allows.
 */
const readLine = (
  images: Plane[],
  glyphs: GlyphSet,
  allowedPerLevel: Glyph[][][],
  firstCentre: number,
): CellReading[] => {
  const allowedPerCell = allowedPerLevel[TRACKING_LEVEL] as Glyph[][]
  const image = images[NOMINAL_STRETCH] as Plane
  const located: { i: number; x: number; y: number; margin: number }[] = []
  const predict = (index: number) => {
    const last = located[located.length - 1]
    if (!last) return { x: firstCentre, y: MARGIN_Y }
    const before = located[located.length - 2]
    const pitch = before ? (last.x - before.x) / (last.i - before.i) : glyphs.pitch
    // A pitch far from the templates' means a mislocated cell: fall back to the nominal pitch.
    const local = Math.abs(pitch / glyphs.pitch - 1) < 0.25 ? pitch : glyphs.pitch
    return { x: last.x + (index - last.i) * local, y: last.y }
  }
  const last = allowedPerCell.length - 1
  const tracked = [...Array(Math.floor(last / TRACK_STRIDE) + 1).keys()].map((step) => step * TRACK_STRIDE)
  if (tracked[tracked.length - 1] !== last) tracked.push(last)
  for (const index of tracked) {
    const at = predict(index)
    const [first, second] = matchCell(
      image,
      glyphs,
      allowedPerCell[index] as Glyph[],
      at.x,
      at.y,
      index === 0 ? SEARCH_FIRST : SEARCH_TRACK,
    )
    if (first) located.push({ i: index, x: first.x, y: first.y, margin: first.score - (second?.score ?? 0) })
  }
  // Fit on the confidently matched cells; a misplaced cell (blank, smudge) does not drag the rest.
  const confident = located.filter((cell) => cell.margin > 0.05)
  const basis = confident.length >= 6 ? confident : located
  if (basis.length < 3) return allowedPerCell.map(() => ({ candidates: [] }))
  const column = fitPolynomial(
    basis.map((cell) => ({ i: cell.i, value: cell.x })),
    2,
  )
  const row = fitPolynomial(
    basis.map((cell) => ({ i: cell.i, value: cell.y })),
    1,
  )
  // The blur level of the templates that fits this photo: the best mean score over a sample of cells.
  const sample = [...Array(Math.min(LEVEL_SAMPLE, allowedPerCell.length)).keys()].map((step) =>
    Math.floor((step * allowedPerCell.length) / Math.min(LEVEL_SAMPLE, allowedPerCell.length)),
  )
  let level = TRACKING_LEVEL
  let chosen = image
  let levelScore = -Infinity
  for (const candidateImage of images)
    allowedPerLevel.forEach((cellsAllowed, candidate) => {
      const score = sample.reduce(
        (sum, index) =>
          sum +
          (matchCell(
            candidateImage,
            glyphs,
            cellsAllowed[index] as Glyph[],
            column(index),
            row(index),
            SEARCH_FINAL,
          )[0]?.score ?? 0),
        0,
      )
      if (score > levelScore) {
        levelScore = score
        level = candidate
        chosen = candidateImage
      }
    })
  return (allowedPerLevel[level] as Glyph[][]).map((allowed, index) => {
    const matches = matchCell(chosen, glyphs, allowed, column(index), row(index), SEARCH_FINAL)
    return {
      candidates: matches
        .slice(0, CANDIDATES_KEPT)
        .map((match) => ({ character: match.character, score: Math.round(match.score * 1000) / 1000 })),
    }
  })
}

/** Per blur level, per line, per cell: the glyphs the layout allows there. */
const allowedGlyphs = (glyphs: GlyphSet, format: MrzFormat): Glyph[][][][] =>
  glyphs.levels.map((level) =>
    LAYOUTS[format].classes.map((line) =>
      line.map((kind) => [...CLASS_CHARACTERS[kind]].map((character) => level.get(character) as Glyph)),
    ),
  )

/**
 * Reads a rectified MRZ band: splits it into its lines, picks the format (the line count, then the pitch
 * whose period the ink follows best for 2 lines: TD2's 36 or TD3's 44 characters), and reads each cell
 * by template matching. Returns the best and runner-up glyphs of every cell for the check-digit repair.
 */
export const readBand = (
  band: GreyImage,
  lineCount: 2 | 3,
  glyphs: GlyphSet,
  formats: readonly MrzFormat[] = lineCount === 3 ? ['TD1'] : ['TD3', 'TD2'],
): BandReading | undefined => {
  const plane = inkOf(band)
  // The lines: runs of inked rows. Background print and blur can fill the gaps between lines, so the
  // level rises until the band splits into as many runs as it has lines.
  const profile = rowProfile(plane)
  let found: ReturnType<typeof runs> = []
  for (let level = 0.2; level < 0.8 && found.length < lineCount; level += 0.05)
    found = runs(profile, level)
      // A sliver of rows is a speck of noise, not a line.
      .filter((run) => run.to - run.from >= (0.25 * band.height) / lineCount)
      .sort((a, b) => b.mass - a.mass)
      .slice(0, lineCount)
      .sort((a, b) => a.from - b.from)
  if (found.length < lineCount) return undefined
  const geometries = found.map((run) => {
    const pad = Math.round(Math.max((run.to - run.from) * 0.3, (0.25 * band.height) / lineCount))
    return lineGeometry(plane, Math.max(0, run.from - pad), Math.min(plane.height, run.to + pad))
  })
  if (geometries.some((geometry) => geometry === undefined)) return undefined
  const lines = geometries as LineGeometry[]

  // The format whose pitch the ink repeats at best.
  let chosen: { format: MrzFormat; periodicity: number } | undefined
  for (const format of formats) {
    const length = LAYOUTS[format].length
    const periodicity =
      lines.reduce((sum, line) => {
        const pitch = (line.lastInk - line.firstInk) / (length - 1 + 2 * HALF_GLYPH)
        return sum + autocorrelation(line.columns.slice(line.firstInk, line.lastInk + 1), pitch)
      }, 0) / lines.length
    if (!chosen || periodicity > chosen.periodicity) chosen = { format, periodicity }
  }
  if (!chosen) return undefined
  const layout = LAYOUTS[chosen.format]
  const allowed = allowedGlyphs(glyphs, chosen.format)
  const cells = lines.map((line, index) => {
    const pitch = (line.lastInk - line.firstInk) / (layout.length - 1 + 2 * HALF_GLYPH)
    const images = STRETCHES.map((stretch) =>
      normaliseLine(plane, line, pitch, glyphs, layout.length, stretch),
    )
    const firstCentre = (images[0] as { firstCentre: number }).firstCentre
    return readLine(
      images.map(({ image }) => image),
      glyphs,
      allowed.map((level) => level[index] as Glyph[][]),
      firstCentre,
    )
  })
  return {
    format: chosen.format,
    lines: cells.map((line) => line.map((cell) => cell.candidates[0]?.character ?? '<').join('')),
    cells,
    periodicity: Math.round(chosen.periodicity * 1000) / 1000,
  }
}
