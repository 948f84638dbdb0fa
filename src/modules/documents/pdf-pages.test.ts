import PDFDocument from 'pdfkit'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { countPdfPages, PDF_PAGE_LIMITS, renderPdfPage } from './pdf-pages.ts'

/** A PDF of `pages` pages of the given size (points), each saying its number. */
const pdf = (pages: number, size: [number, number] = [595, 842]): Promise<Buffer> =>
  new Promise((resolve) => {
    const document = new PDFDocument({ size, margin: 0 })
    const chunks: Buffer[] = []
    document.on('data', (chunk) => chunks.push(chunk))
    document.on('end', () => resolve(Buffer.concat(chunks)))
    for (let page = 1; page <= pages; page++)
      (page === 1 ? document : document.addPage()).fontSize(40).text(`Page ${page}`, 50, 50)
    document.end()
  })

describe('PDF pages as pictures', () => {
  it('renders a page to a PNG at the configured scale and counts the pages', async () => {
    const bytes = await pdf(2)
    expect(await countPdfPages(bytes)).toEqual({ ok: true, pages: 2 })
    const rendered = await renderPdfPage(bytes, 2)
    if (!rendered.ok) throw new Error(rendered.problem)
    expect(rendered).toMatchObject({ pages: 2, width: Math.floor(595 * 1.5), height: Math.floor(842 * 1.5) })
    const meta = await sharp(rendered.png).metadata()
    expect(meta).toMatchObject({ format: 'png', width: rendered.width, height: rendered.height })
    // Something was drawn: the page is not one flat colour.
    const { channels } = await sharp(rendered.png).stats()
    expect(Math.min(...channels.slice(0, 3).map((channel) => channel.min))).toBeLessThan(100)
  }, 30_000)

  it('draws a page of any declared size within the pixel budget', async () => {
    const rendered = await renderPdfPage(await pdf(1, [14_400, 14_400]), 1)
    if (!rendered.ok) throw new Error(rendered.problem)
    expect(rendered.width * rendered.height).toBeLessThanOrEqual(PDF_PAGE_LIMITS.maxPixels)
  }, 30_000)

  it('refuses pages past the limit or the end, bytes that are no PDF, and a render past its deadline', async () => {
    const bytes = await pdf(7)
    expect(await countPdfPages(bytes)).toEqual({ ok: true, pages: 7 })
    expect(await renderPdfPage(bytes, PDF_PAGE_LIMITS.maxPages + 1)).toEqual({
      ok: false,
      problem: 'no-such-page',
    })
    expect(await renderPdfPage(await pdf(1), 2)).toEqual({ ok: false, problem: 'no-such-page' })
    expect(await renderPdfPage(Buffer.from('not a pdf at all'), 1)).toEqual({
      ok: false,
      problem: 'unreadable',
    })
    expect(await renderPdfPage(bytes, 1, { ...PDF_PAGE_LIMITS, timeoutMs: 1 })).toEqual({
      ok: false,
      problem: 'timeout',
    })
    // The renderer is usable again after a thread was stopped.
    expect((await renderPdfPage(bytes, 1)).ok).toBe(true)
  }, 30_000)
})
