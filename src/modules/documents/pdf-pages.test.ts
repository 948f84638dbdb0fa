import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import PDFDocument from 'pdfkit'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { imageBomb } from '../../../test/fixtures/documents/pdf-bomb.ts'
import { countPdfPages, PDF_PAGE_LIMITS, readPdfContents, renderPdfPage } from './pdf-pages.ts'

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

  it('draws two at once, lets twenty wait, and answers busy beyond them', async () => {
    const bytes = await pdf(1)
    const answers = await Promise.all(Array.from({ length: 23 }, () => renderPdfPage(bytes, 1)))
    expect(answers.filter((answer) => answer.ok)).toHaveLength(22)
    expect(answers.filter((answer) => !answer.ok)).toEqual([{ ok: false, problem: 'busy' }])
  }, 60_000)

  it('kills a render past its memory budget, outside this process, and draws the next PDF', async () => {
    // 16 pictures decode to ≈ 400 MB beside PDF.js's own; the file is 0.2 MB.
    const bomb = imageBomb(16)
    const before = process.memoryUsage().rss
    let peak = before
    const watch = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss)
    }, 10)
    // A deadline that cannot fire first: only the memory budget can stop this render.
    const answer = await renderPdfPage(bomb, 1, { ...PDF_PAGE_LIMITS, timeoutMs: 120_000 })
    clearInterval(watch)
    expect(answer).toEqual({ ok: false, problem: 'unreadable' })
    // The pictures were decoded in the renderer's process, not in this one.
    expect(peak - before).toBeLessThan(64 * 1024 * 1024)
    const next = await renderPdfPage(await pdf(1), 1)
    expect(next).toMatchObject({ ok: true, pages: 1 })
  }, 60_000)

  it('kills a contents read past the memory budget, outside this process, and reads the next PDF', async () => {
    // 40 pictures decode to ≈ 480 MB, every one of them held while the page's pictures are compared.
    const bomb = imageBomb(40)
    const limits = { maxPages: 3, maxPixels: 10_000_000, timeoutMs: 120_000 }
    const before = process.memoryUsage().rss
    let peak = before
    const watch = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss)
    }, 10)
    // Only the memory budget can stop this read before its deadline.
    const answer = await readPdfContents(bomb, limits)
    clearInterval(watch)
    expect(answer).toEqual({ ok: false, problem: 'unreadable' })
    expect(peak - before).toBeLessThan(64 * 1024 * 1024)
    const next = await readPdfContents(await pdf(2), limits)
    expect(next).toEqual({ ok: true, pages: 2, text: 'Page 1\nPage 2', images: [] })
  }, 60_000)

  // Linux: the renderer is found through /proc.
  it.runIf(existsSync(`/proc/${process.pid}/task/${process.pid}/children`))(
    "gives the renderer none of the server's environment, and ends it with the server",
    async () => {
      // A server of its own, which starts a renderer, names it and waits to be killed.
      const server = spawn(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `import { readFileSync } from 'node:fs'
          import { renderPdfPage } from ${JSON.stringify(new URL('./pdf-pages.ts', import.meta.url).href)}
          await renderPdfPage(new Uint8Array(8), 1)
          console.log(readFileSync('/proc/' + process.pid + '/task/' + process.pid + '/children', 'latin1').trim())
          setInterval(() => {}, 1000)`,
        ],
        {
          env: { ...process.env, SERVER_SECRET_CANARY: 'do not pass on' },
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      )
      const renderer = await new Promise<string>((resolve) =>
        server.stdout.once('data', (line) => resolve(`${line}`.trim())),
      )
      let environment: string[]
      try {
        expect(renderer).toMatch(/^\d+$/)
        environment = readFileSync(`/proc/${renderer}/environ`, 'latin1').split('\0').filter(Boolean)
      } finally {
        server.kill('SIGKILL')
      }
      // Only what Node sets itself for the IPC channel.
      expect(environment.filter((entry) => !entry.startsWith('NODE_CHANNEL_'))).toEqual([])
      // Gone, or a zombie waiting for an init that does not reap: either way it has exited.
      const running = () => {
        try {
          const stat = readFileSync(`/proc/${renderer}/stat`, 'latin1')
          return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
        } catch {
          return false
        }
      }
      const deadline = Date.now() + 5_000
      while (running() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
      expect(running()).toBe(false)
    },
    30_000,
  )
})
