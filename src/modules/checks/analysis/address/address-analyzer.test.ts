import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { billPdf, blankPdf, pdfOfImage } from '../../../../../test/fixtures/address/bills.ts'
import { imageBomb } from '../../../../../test/fixtures/documents/pdf-bomb.ts'
import { addressAnalyzer } from './address-analyzer.ts'
import { ADDRESS_PDF_LIMITS } from './pdf.ts'

const PDF = 'application/pdf'
const analyze = (files: Parameters<typeof addressAnalyzer.analyze>[0]['files']) =>
  addressAnalyzer.analyze({ documentType: null, issuingCountry: null, files })

const JANE = { name: 'Jane Doe', street: '12 Baker Street', city: 'London', postcode: 'NW1 6XE' }

describe('addressAnalyzer', () => {
  it('has nothing to say about a submission without a proof of address', async () => {
    expect(await analyze({})).toBeUndefined()
  })

  it("returns a PDF's text layer line by line, with every date where it is printed", async () => {
    const bytes = new Uint8Array(await billPdf({ kind: 'bank', holder: JANE, statementDate: '2026-11-12' }))
    const part = await analyze({ proof_of_address: { mediaType: PDF, bytes } })
    expect(part).toMatchObject({
      format: 'pdf',
      readable: true,
      textLayer: true,
      ocr: false,
      pages: 1,
      confidence: null,
    })
    const lines = part?.text.split('\n') ?? []
    expect(lines.slice(2, 6)).toEqual(['Jane Doe', '12 Baker Street', 'London', 'NW1 6XE'])
    expect(part?.text).toContain('£1,906.34')
    for (const date of part?.dates ?? []) {
      expect(part?.text.slice(date.index, date.index + date.text.length)).toBe(date.text)
      expect(lines[date.line - 1]).toContain(date.text)
    }
    expect(part?.dates.filter((date) => date.labelled).map((date) => date.dayFirst)).toEqual(['2026-11-12'])
    // The submitted bytes stay as they were (PDF.js, in its own process, is given a copy).
    expect(bytes.byteLength).toBeGreaterThan(0)
  })

  it('says a PDF has no text layer, and a damaged one does not open', async () => {
    const blank = await analyze({
      proof_of_address: { mediaType: PDF, bytes: new Uint8Array(await blankPdf()) },
    })
    expect(blank).toMatchObject({ readable: true, textLayer: false, ocr: false, text: '', dates: [] })
    const damaged = await analyze({
      proof_of_address: { mediaType: PDF, bytes: new TextEncoder().encode('%PDF-1.7') },
    })
    expect(damaged).toMatchObject({ format: 'pdf', readable: false })
  })

  it('does not decode a picture larger than it allows (a decompression bomb)', async () => {
    const side = Math.ceil(Math.sqrt(ADDRESS_PDF_LIMITS.maxPixels)) + 1
    const jpeg = await sharp({ create: { width: side, height: side, channels: 3, background: '#ffffff' } })
      .jpeg({ quality: 50 })
      .toBuffer()
    // Kilobytes on disk, gigabytes decoded.
    expect(jpeg.byteLength).toBeLessThan(1_000_000)
    const bomb = await analyze({
      proof_of_address: { mediaType: PDF, bytes: new Uint8Array(await pdfOfImage(jpeg)) },
    })
    expect(bomb).toMatchObject({ readable: true, textLayer: false, ocr: false, text: '' })
  })
  it('does not read a PDF whose pictures together take more memory than the reader may, and reads the next', async () => {
    // 0.5 MB on disk; its 40 pictures of 2000 × 2000 decode to ≈ 480 MB.
    const bytes = new Uint8Array(imageBomb(40))
    const before = process.memoryUsage().rss
    let peak = before
    const watch = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss)
    }, 10)
    const bomb = await analyze({ proof_of_address: { mediaType: PDF, bytes } })
    clearInterval(watch)
    expect(bomb).toMatchObject({ format: 'pdf', readable: false })
    // Decoded in the documents module's PDF process, not in this one (the analysis thread's).
    expect(peak - before).toBeLessThan(64 * 1024 * 1024)
    const bill = new Uint8Array(await billPdf({ kind: 'bank', holder: JANE, statementDate: '2026-11-12' }))
    expect(await analyze({ proof_of_address: { mediaType: PDF, bytes: bill } })).toMatchObject({
      readable: true,
      textLayer: true,
    })
  }, 60_000)
})
