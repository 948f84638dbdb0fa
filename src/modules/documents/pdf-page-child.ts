import { getDocumentProxy, renderPageAsImage } from 'unpdf'
import { type PdfContents, readContents } from './pdf-contents.ts'

/** `page` 0 asks only how many pages the PDF has. */
export type PdfPageRequest = {
  kind: 'page'
  id: number
  bytes: Uint8Array
  page: number
  maxPixels: number
  scale: number
}
export type PdfPageAnswer =
  | { id: number; ok: true; pages: number; png: Uint8Array | null; width: number; height: number }
  | { id: number; ok: false; problem: 'unreadable' | 'no-such-page' }

/** The text and scanned pictures of the first `maxPages` pages (pdf-contents.ts). */
export type PdfContentsRequest = {
  kind: 'contents'
  id: number
  bytes: Uint8Array
  maxPages: number
  maxPixels: number
}
export type PdfContentsAnswer =
  | ({ id: number; ok: true } & PdfContents)
  | { id: number; ok: false; problem: 'unreadable' }

export type PdfChildRequest = PdfPageRequest | PdfContentsRequest
export type PdfChildAnswer = PdfPageAnswer | PdfContentsAnswer

/**
 * Renders one page of a PDF to PNG, or reads its text and scanned pictures, in a child process started
 * by pdf-pages.ts. PDF.js parses and
 * paints in JavaScript, and a hostile file can take seconds of CPU and, through the images it decodes
 * and the canvas it paints, memory that no V8 heap limit counts: in a process of its own, the parent
 * can watch both and kill it without harming the server. Nothing is fetched and no script in the PDF
 * runs (PDF.js executes none).
 */
const send = process.send?.bind(process)
if (!send) throw new Error('pdf-page-child.ts is started by pdf-pages.ts, over IPC')

// The parent is gone (exited or killed): nobody is left to answer, or to watch this process.
process.on('disconnect', () => process.exit(0))

const readAndAnswer = async ({ id, bytes, maxPages, maxPixels }: PdfContentsRequest) => {
  const contents = await readContents(bytes, maxPages, maxPixels)
  send(
    contents
      ? ({ id, ok: true, ...contents } satisfies PdfContentsAnswer)
      : ({ id, ok: false, problem: 'unreadable' } satisfies PdfContentsAnswer),
  )
}

const renderAndAnswer = async ({ id, bytes, page, maxPixels, scale }: PdfPageRequest) => {
  let document: Awaited<ReturnType<typeof getDocumentProxy>> | undefined
  try {
    document = await getDocumentProxy(bytes, {
      useSystemFonts: false,
      maxImageSize: maxPixels,
      verbosity: 0,
    })
    const pages = document.numPages
    if (page === 0)
      return send({ id, ok: true, pages, png: null, width: 0, height: 0 } satisfies PdfPageAnswer)
    if (page > pages) return send({ id, ok: false, problem: 'no-such-page' } satisfies PdfPageAnswer)
    const size = (await document.getPage(page)).getViewport({ scale: 1 })
    // A page may declare any size: the picture is scaled down to the pixel budget, never up past `scale`.
    const fitted = Math.min(scale, Math.sqrt(maxPixels / Math.max(1, size.width * size.height)))
    const png = new Uint8Array(
      await renderPageAsImage(document, page, {
        canvasImport: () => import('@napi-rs/canvas'),
        scale: fitted,
      }),
    )
    const width = Math.floor(size.width * fitted)
    const height = Math.floor(size.height * fitted)
    return send({ id, ok: true, pages, png, width, height } satisfies PdfPageAnswer)
  } catch {
    return send({ id, ok: false, problem: 'unreadable' } satisfies PdfPageAnswer)
  } finally {
    await document?.loadingTask.destroy()
  }
}

process.on('message', (request: PdfChildRequest) =>
  request.kind === 'contents' ? readAndAnswer(request) : renderAndAnswer(request),
)

// Messages sent before a listener exists are lost, so the parent sends the first request on this.
send('ready')
