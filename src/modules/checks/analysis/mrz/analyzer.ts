import sharp from 'sharp'
import { loadOpenCv } from '../../../../lib/opencv.ts'
import type { Analyzer } from '../analyzer.ts'
import type { DocumentData } from '../document-data.ts'
import type { AnalysisInput } from '../input.ts'
import { coversCell, LAYOUTS, type MrzFormat } from './formats.ts'
import { type GlyphSet, loadGlyphs } from './glyphs.ts'
import { type LocatedBand, locateMrz } from './locate.ts'
import { documentDataOf } from './parse.ts'
import { type BandReading, type GreyImage, readBand } from './read.ts'
import { repairCheckDigits, type Substitution } from './repair.ts'

type Side = 'document_front' | 'document_back'

/** How sure the reader was of its glyphs: correlation of the best glyphs, and best minus runner-up. */
export type MrzConfidence = { meanScore: number; minScore: number; minMargin: number }

export type MrzPart = {
  found: boolean
  /** The photo the MRZ was found on. */
  side?: Side
  format?: MrzFormat
  /** The lines as the glyphs matched best, before any repair. */
  lines?: string[]
  /** The lines after the check-digit repair (equal to `lines` when nothing needed repairing). */
  repairedLines?: string[]
  substitutions?: Substitution[]
  confidence?: MrzConfidence
  /** Per check digit: whether it holds after repair, and how sure the reader was of the cells it covers. */
  checkDigits?: { field: string; valid: boolean; minScore: number; minMargin: number }[]
  documentData?: DocumentData
  /** The rectified band, a small grey JPEG (base64) for the reviewer. */
  bandJpeg?: string
}

/** Which photos carry the MRZ, most likely first: a passport's data page; an ID card's back (TD1). */
const SIDES: Record<NonNullable<AnalysisInput['documentType']> | 'unknown', Side[]> = {
  passport: ['document_front'],
  id_card: ['document_back', 'document_front'],
  residence_permit: ['document_back', 'document_front'],
  // A (US) driving licence carries a PDF417 barcode, not an MRZ.
  driving_licence: [],
  unknown: ['document_front', 'document_back'],
}

const round = (value: number) => Math.round(value * 1000) / 1000

const rotated = (band: GreyImage): GreyImage => ({ ...band, data: Uint8Array.from(band.data).reverse() })

type Read = {
  band: LocatedBand
  image: GreyImage
  reading: BandReading
  repaired: ReturnType<typeof repairCheckDigits>
}

/** Better read: more check digits holding, then the higher mean glyph correlation. */
const quality = (read: Read) => {
  const valid = read.repaired.checkDigits.filter((check) => check.valid).length
  const cells = read.reading.cells.flat()
  const mean =
    cells.reduce((sum, cell) => sum + (cell.candidates[0]?.score ?? 0), 0) / Math.max(1, cells.length)
  return valid * 10 + mean
}

const readOne = (band: LocatedBand, image: GreyImage, glyphs: GlyphSet): Read | undefined => {
  const reading = readBand(image, band.lineCount, glyphs)
  if (!reading) return undefined
  return { band, image, reading, repaired: repairCheckDigits(reading.format, reading.cells, reading.lines) }
}

const confidenceOf = (cells: BandReading['cells'], keep: (line: number, index: number) => boolean) => {
  const scores: number[] = []
  const margins: number[] = []
  cells.forEach((line, lineIndex) => {
    line.forEach((cell, index) => {
      if (!keep(lineIndex, index)) return
      const [best, second] = cell.candidates
      scores.push(best?.score ?? 0)
      margins.push((best?.score ?? 0) - (second?.score ?? 0))
    })
  })
  return {
    meanScore: round(scores.reduce((sum, score) => sum + score, 0) / Math.max(1, scores.length)),
    minScore: round(Math.min(...scores)),
    minMargin: round(Math.min(...margins)),
  }
}

let glyphs: GlyphSet | undefined

/**
 * Reads the MRZ off the document photos: locate the band, read it (and read it upside down too when the
 * first read does not hold: a document photographed rotated 180°), repair check digits from runner-up
 * glyphs, parse with `mrz`.
 */
export const mrzAnalyzer: Analyzer<MrzPart> = {
  version: '1',
  async load() {
    glyphs = await loadGlyphs()
    await loadOpenCv()
  },
  async analyze(input) {
    const sides = SIDES[input.documentType ?? 'unknown'].filter((side) => input.files[side])
    if (sides.length === 0) return undefined
    // load() runs once per analysis thread; a caller that did not (an in-process run) loads here.
    if (!glyphs) await mrzAnalyzer.load()
    const templates = glyphs as GlyphSet
    let best: (Read & { side: Side }) | undefined
    for (const side of sides) {
      const file = input.files[side]
      if (!file) continue
      const band = await locateMrz(file.bytes)
      if (!band) continue
      for (const image of [band.band, rotated(band.band)]) {
        const read = readOne(band, image, templates)
        if (read && (!best || quality(read) > quality(best))) best = { ...read, side }
        if (best?.repaired.checkDigits.every((check) => check.valid)) break
      }
      if (best?.repaired.checkDigits.every((check) => check.valid)) break
    }
    if (!best) return { found: false }
    const { reading, repaired } = best
    const layout = LAYOUTS[reading.format]
    let documentData: DocumentData | undefined
    try {
      documentData = documentDataOf(repaired.lines, new Date(), reading.format)
    } catch {
      // `mrz` throws only on lines of the wrong shape, which the reader does not produce; no data then.
    }
    const bandJpeg = await sharp(Buffer.from(best.image.data), {
      raw: { width: best.image.width, height: best.image.height, channels: 1 },
    })
      .resize({ width: 640, withoutEnlargement: true })
      .jpeg({ quality: 70 })
      .toBuffer()
    return {
      found: true,
      side: best.side,
      format: reading.format,
      lines: reading.lines,
      repairedLines: repaired.lines,
      substitutions: repaired.substitutions,
      confidence: confidenceOf(reading.cells, () => true),
      checkDigits: layout.checkDigits.map((field, index) => ({
        field: field.field,
        valid: repaired.checkDigits[index]?.valid ?? false,
        ...(({ minScore, minMargin }) => ({ minScore, minMargin }))(
          confidenceOf(reading.cells, (line, cell) => coversCell(field, line, cell)),
        ),
      })),
      ...(documentData ? { documentData } : {}),
      bandJpeg: bandJpeg.toString('base64'),
    }
  },
}
