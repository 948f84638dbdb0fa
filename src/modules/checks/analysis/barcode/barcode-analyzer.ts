import sharp from 'sharp'
import { loadTesseract } from '../../../../lib/tesseract.ts'
import type { Analyzer } from '../analyzer.ts'
import { quadSides } from '../document/geometry.ts'
import { locateDocument } from '../document/locate.ts'
import { documentAspect, rectifyDocument } from '../document/rectify.ts'
import type { DocumentData } from '../document-data.ts'
import type { AnalysisInput, SubmittedFile } from '../input.ts'
import { documentDataFromAamva } from './aamva.ts'
import { type FrontText, readFrontText } from './front-text.ts'
import { loadPdf417Reader, readPdf417 } from './pdf417.ts'

export type BarcodeAnalysis = {
  /** A PDF417 was found and decoded on the back. */
  decoded: boolean
  /** The decoded text is an AAMVA record with a surname and a licence number. */
  parsed: boolean
  /** Whether the back's photo was squared by its corners first (it is read as photographed otherwise). */
  rectified: boolean
  /** The identity data the barcode carries (the licence's machine-readable truth). */
  documentData?: DocumentData
  /** What is printed on the front, read only when the barcode was, to compare the two sides. */
  front?: FrontText
}

const ID1 = documentAspect('driving_licence')

/**
 * The back squared by its corners when they were found, then the photo as it is (a flat scan, or a
 * close-up of the barcode alone, has no card outline to find).
 */
const decodeBack = async (back: SubmittedFile): Promise<{ text: string | null; rectified: boolean }> => {
  const { corners } = await locateDocument(back.bytes, ID1)
  if (corners) {
    const native = Math.round(quadSides(corners).long)
    // At the photo's own scale, corners 2–3 px off can leave the symbol's rows just out of step: 2 of 40
    // seeded photos failed there and read when squared again 1.3× larger (60 of 60 with the retry).
    for (const width of [native, Math.max(1600, Math.round(native * 1.3))]) {
      const text = await readPdf417(await rectifyDocument(back.bytes, corners, ID1, width))
      if (text) return { text, rectified: true }
    }
  }
  const { data, info } = await sharp(back.bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true })
  return {
    text: await readPdf417({ data, width: info.width, height: info.height, channels: 3 }),
    rectified: false,
  }
}

const readFront = async (front: SubmittedFile): Promise<FrontText | undefined> => {
  const { corners } = await locateDocument(front.bytes, ID1)
  if (!corners) return undefined
  return readFrontText(await rectifyDocument(front.bytes, corners, ID1))
}

/**
 * A US driving licence's PDF417 (the back), decoded and parsed as AAMVA, and the front's printed
 * licence number and text for the front/back comparison. Only US licences carry it.
 */
export const barcodeAnalyzer: Analyzer<BarcodeAnalysis> = {
  version: '1',
  async load() {
    await loadPdf417Reader()
    try {
      await loadTesseract()
    } catch (error) {
      throw new Error('barcode analyzer: tesseract.js failed to load its English data', { cause: error })
    }
  },
  async analyze(input: AnalysisInput) {
    if (input.documentType !== 'driving_licence' || input.issuingCountry !== 'US') return undefined
    const back = input.files.document_back
    if (!back) return { decoded: false, parsed: false, rectified: false }
    const { text, rectified } = await decodeBack(back)
    if (text === null) return { decoded: false, parsed: false, rectified }
    const documentData = documentDataFromAamva(text)
    if (!documentData) return { decoded: true, parsed: false, rectified }
    const front = input.files.document_front ? await readFront(input.files.document_front) : undefined
    return { decoded: true, parsed: true, rectified, documentData, ...(front ? { front } : {}) }
  },
}
