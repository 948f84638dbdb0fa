import { getDocumentProxy, getResolvedPDFJS } from 'unpdf'

/** A picture painted on a PDF page, decoded to raw pixels (a scanned page is one such picture). */
export type PageImage = { data: Uint8ClampedArray; width: number; height: number; channels: 1 | 3 | 4 }

export type PdfContents = { pages: number; text: string; images: PageImage[] }

/**
 * Pages read from one PDF: a proof of address is on its first pages, and a document of hundreds of
 * pages must not hold the worker.
 */
export const MAX_PDF_PAGES = 3

/**
 * Pictures larger than this (in pixels) are not decoded: a JPEG of a few kilobytes can declare
 * 20,000 × 20,000 pixels, 1.2 GB once decoded. An A4 page scanned at 600 dpi is 35 MP; at 300 dpi, 9 MP.
 */
export const MAX_PDF_IMAGE_PIXELS = 40_000_000

/** Loads the PDF.js build bundled in unpdf (≈140 ms), so that the first submission does not pay for it. */
export const loadPdfReader = async (): Promise<void> => {
  await getResolvedPDFJS()
}

type PdfPage = Awaited<ReturnType<Awaited<ReturnType<typeof getDocumentProxy>>['getPage']>>

const textOf = async (page: PdfPage) =>
  (await page.getTextContent()).items
    .map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : '') : ''))
    .join('')

/** The largest picture on the page, decoded by PDF.js (JPEG and the PDF filters, in JavaScript). */
const largestImageOf = async (page: PdfPage, paintImage: number): Promise<PageImage | undefined> => {
  const operators = await page.getOperatorList()
  let largest: PageImage | undefined
  for (const [index, operator] of operators.fnArray.entries()) {
    if (operator !== paintImage) continue
    const key = operators.argsArray[index]?.[0] as string
    const objects = key.startsWith('g_') ? page.commonObjs : page.objs
    const image = await new Promise<{ data?: Uint8ClampedArray; width?: number; height?: number } | null>(
      (resolve) => objects.get(key, resolve),
    )
    if (!image?.data || !image.width || !image.height) continue
    const channels = image.data.length / (image.width * image.height)
    if (channels !== 1 && channels !== 3 && channels !== 4) continue
    if (!largest || image.width * image.height > largest.width * largest.height)
      largest = { data: image.data, width: image.width, height: image.height, channels }
  }
  return largest
}

/**
 * The text layer of the first pages and, for the pages that have none (a scan), the picture that
 * fills them, for OCR. `null` when the bytes are not a PDF PDF.js can open. Nothing is fetched: the
 * data is in memory, and fonts are not rendered.
 */
export const readPdf = async (bytes: Uint8Array): Promise<PdfContents | null> => {
  let document: Awaited<ReturnType<typeof getDocumentProxy>>
  try {
    // A copy: PDF.js takes ownership of the buffer it is given.
    document = await getDocumentProxy(new Uint8Array(bytes), {
      useSystemFonts: false,
      stopAtErrors: false,
      maxImageSize: MAX_PDF_IMAGE_PIXELS,
      // Errors only: PDF.js would print warnings about fonts it does not render to the thread's console.
      verbosity: 0,
    })
  } catch {
    return null
  }
  try {
    const { OPS } = await getResolvedPDFJS()
    const pages = Math.min(document.numPages, MAX_PDF_PAGES)
    const texts: string[] = []
    const images: PageImage[] = []
    for (let number = 1; number <= pages; number++) {
      const page = await document.getPage(number)
      const text = await textOf(page)
      texts.push(text)
      if (!hasTextLayer(text)) {
        const image = await largestImageOf(page, OPS.paintImageXObject)
        if (image) images.push(image)
      }
    }
    return { pages: document.numPages, text: texts.join('\n'), images }
  } catch {
    return null
  } finally {
    await document.loadingTask.destroy()
  }
}

/** A page whose text layer has fewer letters and digits than this is treated as a scan. */
const MIN_TEXT_LAYER_CHARACTERS = 20

export const hasTextLayer = (text: string): boolean =>
  (text.match(/[\p{L}\p{N}]/gu)?.length ?? 0) >= MIN_TEXT_LAYER_CHARACTERS
