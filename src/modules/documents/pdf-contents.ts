import { getDocumentProxy, getResolvedPDFJS } from 'unpdf'

/** A picture painted on a PDF page, decoded to raw pixels (a scanned page is one such picture). */
export type PageImage = { data: Uint8ClampedArray; width: number; height: number; channels: 1 | 3 | 4 }

export type PdfContents = { pages: number; text: string; images: PageImage[] }

/** A page whose text layer has fewer letters and digits than this is treated as a scan. */
const MIN_TEXT_LAYER_CHARACTERS = 20

export const hasTextLayer = (text: string): boolean =>
  (text.match(/[\p{L}\p{N}]/gu)?.length ?? 0) >= MIN_TEXT_LAYER_CHARACTERS

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
 * The text layer of the first `maxPages` pages and, for the pages that have none (a scan), the largest
 * picture on them (at most `maxPixels` each; larger ones are not decoded). `null` when the bytes are
 * not a PDF PDF.js can open. Run only in the PDF child process (pdf-page-child.ts): the pictures PDF.js
 * decodes are memory no thread's heap limit counts.
 */
export const readContents = async (
  bytes: Uint8Array,
  maxPages: number,
  maxPixels: number,
): Promise<PdfContents | null> => {
  let document: Awaited<ReturnType<typeof getDocumentProxy>>
  try {
    document = await getDocumentProxy(bytes, {
      useSystemFonts: false,
      stopAtErrors: false,
      maxImageSize: maxPixels,
      verbosity: 0,
    })
  } catch {
    return null
  }
  try {
    const { OPS } = await getResolvedPDFJS()
    const pages = Math.min(document.numPages, maxPages)
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
