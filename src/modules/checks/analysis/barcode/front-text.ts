import sharp from 'sharp'
import { loadTesseract } from '../../../../lib/tesseract.ts'
import type { RawImage } from '../document/rectify.ts'

/** Width the squared front is read at: its printed fields are then 20–40 px high, where tesseract reads best. */
const OCR_WIDTH = 1200

export type FrontText = {
  /** Everything tesseract read on the front, upper-cased, line by line. */
  text: string
  /** tesseract's mean word confidence, 0–100. */
  confidence: number
}

/**
 * Reads the printed front of a licence (squared). Labels are small and set in colour, so they are read
 * unreliably (`DL` came out as `0.`): the comparison with the barcode looks for the barcode's values in
 * the whole text rather than for a labelled field.
 */
export const readFrontText = async (front: RawImage): Promise<FrontText> => {
  const worker = await loadTesseract()
  const png = await sharp(front.data, { raw: front })
    .greyscale()
    .normalise()
    .resize({ width: OCR_WIDTH })
    .withMetadata({ density: 300 })
    .png()
    .toBuffer()
  const { data } = await worker.recognize(png)
  return { text: data.text.toUpperCase(), confidence: data.confidence }
}
