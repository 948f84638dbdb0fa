import { parentPort } from 'node:worker_threads'
import { getDocumentProxy, renderPageAsImage } from 'unpdf'

/** `page` 0 asks only how many pages the PDF has. */
export type PdfPageRequest = { id: number; bytes: Uint8Array; page: number; maxPixels: number; scale: number }
export type PdfPageAnswer =
  | { id: number; ok: true; pages: number; png: Uint8Array | null; width: number; height: number }
  | { id: number; ok: false; problem: 'unreadable' | 'no-such-page' }

/**
 * Renders one page of a PDF to PNG in a worker thread: PDF.js parses and paints in JavaScript, and a
 * hostile file can take seconds of CPU, which here stalls no request and can be stopped by
 * terminating the thread. Nothing is fetched and no script in the PDF runs (PDF.js executes none).
 */
parentPort?.on('message', async ({ id, bytes, page, maxPixels, scale }: PdfPageRequest) => {
  const answer = (message: PdfPageAnswer, transfer: ArrayBuffer[] = []) =>
    parentPort?.postMessage(message, transfer)
  let document: Awaited<ReturnType<typeof getDocumentProxy>> | undefined
  try {
    document = await getDocumentProxy(bytes, {
      useSystemFonts: false,
      maxImageSize: maxPixels,
      verbosity: 0,
    })
    const pages = document.numPages
    if (page === 0) return answer({ id, ok: true, pages, png: null, width: 0, height: 0 })
    if (page > pages) return answer({ id, ok: false, problem: 'no-such-page' })
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
    return answer({ id, ok: true, pages, png, width, height }, [png.buffer as ArrayBuffer])
  } catch {
    return answer({ id, ok: false, problem: 'unreadable' })
  } finally {
    await document?.loadingTask.destroy()
  }
})
