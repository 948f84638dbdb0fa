import { loadTesseract } from '../../../../lib/tesseract.ts'
import { hasTextLayer } from '../../../documents/index.ts'
import type { AnalysisInput } from '../input.ts'
import { type FoundDate, findDates } from './dates.ts'
import { recognizeText } from './ocr.ts'
import { readPdf } from './pdf.ts'

/**
 * What was read off the proof of address: its text (personal data: it is sealed with the check's
 * evidence, for the reviewer) and every date on it. Whether the dates are recent and the text names the
 * user at the registered address is the check's to judge (../../proof-of-address.ts): it knows the user
 * and the time.
 */
export type AddressDocument = {
  format: 'pdf' | 'image'
  /** `false` when the file does not open: a damaged PDF, an image that does not decode. */
  readable: boolean
  /** PDFs: whether the pages read carry text; `false` for a scan (whose pictures were read by OCR). `null` for a photo. */
  textLayer: boolean | null
  /** Whether the text came from OCR (a photo, or a scanned PDF's pictures) rather than a text layer. */
  ocr: boolean
  /** Pages in the PDF (1 for a photo). */
  pages: number
  text: string
  /** Tesseract's mean word confidence (0–100) when the text came from OCR; `null` for a text layer. */
  confidence: number | null
  dates: FoundDate[]
}

const PDF = 'application/pdf'

const unreadable = (format: AddressDocument['format']): AddressDocument => ({
  format,
  readable: false,
  textLayer: null,
  ocr: false,
  pages: 0,
  text: '',
  confidence: null,
  dates: [],
})

const read = (part: Omit<AddressDocument, 'dates' | 'readable'>): AddressDocument => ({
  ...part,
  readable: true,
  dates: findDates(part.text),
})

const analyzePdf = async (bytes: Uint8Array): Promise<AddressDocument> => {
  const contents = await readPdf(bytes)
  if (!contents) return unreadable('pdf')
  if (hasTextLayer(contents.text))
    return read({
      format: 'pdf',
      textLayer: true,
      ocr: false,
      pages: contents.pages,
      text: contents.text,
      confidence: null,
    })
  // A scan: each page is a picture, which OCR reads as it reads a photo.
  const pages = []
  for (const image of contents.images) pages.push(await recognizeText(image))
  const confidence =
    pages.length === 0 ? null : pages.reduce((sum, page) => sum + page.confidence, 0) / pages.length
  return read({
    format: 'pdf',
    textLayer: false,
    ocr: pages.length > 0,
    pages: contents.pages,
    text: pages.map((page) => page.text).join('\n'),
    confidence,
  })
}

const analyzeImage = async (bytes: Uint8Array): Promise<AddressDocument> => {
  let result: Awaited<ReturnType<typeof recognizeText>>
  try {
    result = await recognizeText(bytes)
  } catch (error) {
    // sharp refuses bytes that are no image; anything else (tesseract failing) is the worker's problem.
    if (error instanceof Error && /unsupported image format|Input buffer/i.test(error.message))
      return unreadable('image')
    throw error
  }
  return read({
    format: 'image',
    textLayer: null,
    ocr: true,
    pages: 1,
    text: result.text,
    confidence: result.confidence,
  })
}

/**
 * The proof of address: a PDF's text layer (unpdf, in the documents module's PDF process), or OCR (tesseract.js) of a photo or a scanned PDF.
 * An `Analyzer<AddressDocument>` (../analysis.ts checks it where it composes ANALYZERS; importing the
 * type here would tie the two files in a cycle).
 */
export const addressAnalyzer = {
  version: '1',
  async load() {
    try {
      await loadTesseract()
    } catch (error) {
      throw new Error(
        `proof-of-address analyzer: cannot load tesseract.js with @tesseract.js-data/eng (${error instanceof Error ? error.message : String(error)})`,
        { cause: error },
      )
    }
  },
  async analyze({ files }: AnalysisInput): Promise<AddressDocument | undefined> {
    const file = files.proof_of_address
    if (!file) return undefined
    return file.mediaType === PDF ? analyzePdf(file.bytes) : analyzeImage(file.bytes)
  },
}
