import { type PdfContents, readPdfContents } from '../../../documents/index.ts'

/**
 * What reading a proof of address in PDF may cost. A proof of address is on its first pages, and a
 * document of hundreds of pages must not hold the worker. Pictures larger than `maxPixels` are not
 * decoded: an A4 page scanned at 300 dpi is 8.7 MP (US Letter 8.4 MP) and reads within the reader's
 * memory budget; 600 dpi (35 MP) would not, and neither would a JPEG of a few kilobytes declaring
 * 20,000 × 20,000 pixels. `timeoutMs`: a bill's text layer reads in well under a second, a scan's
 * pictures in a few.
 */
export const ADDRESS_PDF_LIMITS = { maxPages: 3, maxPixels: 10_000_000, timeoutMs: 30_000 }

/**
 * The text layer of the first pages and, for the pages that have none (a scan), the picture that
 * fills them, for OCR, read in the documents module's PDF process under its memory budget. `null` when
 * it could not be read: bytes that are no PDF PDF.js can open, or a file that took more memory or time
 * than it may (a person, or another upload, has to decide it).
 */
export const readPdf = async (bytes: Uint8Array): Promise<PdfContents | null> => {
  const read = await readPdfContents(bytes, ADDRESS_PDF_LIMITS)
  return read.ok ? { pages: read.pages, text: read.text, images: read.images } : null
}
