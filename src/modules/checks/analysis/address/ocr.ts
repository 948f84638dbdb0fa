import sharp from 'sharp'
import { loadTesseract } from '../../../../lib/tesseract.ts'

export type OcrResult = { text: string; confidence: number }

/** What is given to sharp: an encoded image (a photo) or raw pixels (a picture taken out of a PDF). */
export type OcrSource =
  | Uint8Array
  | { data: Uint8ClampedArray; width: number; height: number; channels: 1 | 3 | 4 }

/**
 * Reads printed text off an image with tesseract.js (English LSTM data from node_modules). The image
 * is made grey, stretched to the full contrast range and brought to about 1500 px wide, the size at
 * which a photographed A4 page read exactly here; a very tall image is bounded instead.
 * `confidence` is tesseract's mean word confidence, 0–100.
 */
export const recognizeText = async (source: OcrSource): Promise<OcrResult> => {
  const image =
    source instanceof Uint8Array
      ? sharp(source)
      : sharp(source.data, { raw: { width: source.width, height: source.height, channels: source.channels } })
  const prepared = await image
    .greyscale()
    .normalise()
    .resize({ width: 1500, height: 3000, fit: 'inside' })
    // About an A4 page's resolution at that width; tesseract warns about a picture without one.
    .withMetadata({ density: 180 })
    .png()
    .toBuffer()
  const worker = await loadTesseract()
  const { data } = await worker.recognize(prepared)
  return { text: data.text, confidence: data.confidence }
}
