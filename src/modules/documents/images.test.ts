import { spawnSync } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { isAppError } from '../../lib/errors.ts'
import { MAX_STORED_EDGE, normalizeUpload, sniffType } from './images.ts'

const photo = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: '#a0b0c0' } })

const refusal = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(isAppError(error)).toBe(true)
  return error as { status: number; publicMessage: string }
}

describe('upload normalization', () => {
  it('sniffs the type from the bytes, whatever the name says', async () => {
    expect(await sniffType(await photo(10, 10).png().toBuffer())).toBe('image/png')
    expect(await sniffType(await photo(10, 10).webp().toBuffer())).toBe('image/webp')
    expect(
      await sniffType(await readFile(join(import.meta.dirname, '../../../test/fixtures/sample.heic'))),
    ).toBe('image/heic')
    expect(await sniffType(Buffer.from('just some text, named photo.jpg'))).toBeUndefined()
  })

  it('re-encodes photos as JPEG without metadata, upright and at most MAX_STORED_EDGE', async () => {
    const input = await photo(4000, 3000)
      .jpeg()
      .withMetadata({
        orientation: 6,
        exif: { IFD0: { Make: 'PhoneCo', ImageDescription: 'GPS 51.5,-0.1' } },
      })
      .toBuffer()
    const stored = await normalizeUpload(input, 'photo')
    expect(stored).toMatchObject({ mediaType: 'image/jpeg', originalType: 'image/jpeg' })
    // Orientation 6 means "rotate 90°": the stored image is portrait.
    expect([stored.width, stored.height]).toEqual([(MAX_STORED_EDGE * 3) / 4, MAX_STORED_EDGE])
    const metadata = await sharp(stored.bytes).metadata()
    expect(metadata.exif).toBeUndefined()
    expect(metadata.orientation).toBeUndefined()
    expect(stored.bytes.includes(Buffer.from('PhoneCo'))).toBe(false)
  })

  it('flattens transparency and keeps small photos at their size', async () => {
    const png = await sharp({
      create: { width: 300, height: 200, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } },
    })
      .png()
      .toBuffer()
    const stored = await normalizeUpload(png, 'photo')
    expect([stored.width, stored.height]).toEqual([300, 200])
    const { data } = await sharp(stored.bytes).raw().toBuffer({ resolveWithObject: true })
    expect(data[0]).toBeGreaterThan(240)
  })

  it('refuses empty, foreign, damaged and pixel-bomb files with a 422 and a clear message', async () => {
    expect((await refusal(normalizeUpload(Buffer.alloc(0), 'photo'))).publicMessage).toMatch(/empty/)
    expect((await refusal(normalizeUpload(Buffer.from('hello'), 'photo'))).status).toBe(422)
    const jpeg = await photo(800, 600).jpeg().toBuffer()
    expect((await refusal(normalizeUpload(jpeg.subarray(0, 400), 'photo'))).publicMessage).toMatch(/damaged/)
    // 12,000 × 9,000 = 108 MP: refused from the header, before decoding.
    const bomb = await photo(12_000, 9_000).png({ compressionLevel: 9 }).toBuffer()
    expect((await refusal(normalizeUpload(bomb, 'photo'))).publicMessage).toMatch(/too large/)
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n')
    expect((await refusal(normalizeUpload(pdf, 'photo'))).publicMessage).toMatch(/not a photo/)
    expect((await normalizeUpload(pdf, 'photo-or-pdf')).mediaType).toBe('application/pdf')
    expect((await refusal(normalizeUpload(pdf.subarray(0, 20), 'photo-or-pdf'))).publicMessage).toMatch(
      /incomplete/,
    )
  }, 30_000)

  it('decodes HEIC off the main thread, and an idle decoder lets the process exit', () => {
    const script = `
      import { readFileSync } from 'node:fs'
      import { normalizeUpload } from ${JSON.stringify(new URL('./images.ts', import.meta.url).href)}
      const heic = readFileSync(${JSON.stringify(join(import.meta.dirname, '../../../test/fixtures/sample.heic'))})
      const stored = await Promise.all([normalizeUpload(heic, 'photo'), normalizeUpload(heic, 'photo')])
      console.log(stored.map((image) => image.width + 'x' + image.height).join(' '))`
    // Node detects the module syntax itself; `--input-type` would be inherited by the decoder thread,
    // which then refuses to load its file (ERR_INPUT_TYPE_NOT_ALLOWED).
    const run = spawnSync(process.execPath, ['-e', script], {
      encoding: 'utf8',
      timeout: 30_000,
    })
    expect(run.stdout.trim()).toBe('640x480 640x480')
    expect(run.status).toBe(0)
  }, 40_000)

  it('refuses a HEIC decode that overruns its deadline, and a fresh decoder thread takes the next one', async () => {
    const heic = await readFile(join(import.meta.dirname, '../../../test/fixtures/sample.heic'))
    const late = await refusal(normalizeUpload(heic, 'photo', { timeoutMs: 1 }))
    expect(late.status).toBe(422)
    expect(late.publicMessage).toMatch(/took too long/)
    const stored = await normalizeUpload(heic, 'photo', { timeoutMs: 30_000 })
    expect([stored.width, stored.height]).toEqual([640, 480])
  }, 40_000)

  it('refuses a picture far larger than its file allows, from the header, below the pixel limit', async () => {
    const flat = await photo(7000, 7000).webp({ lossless: true }).toBuffer()
    expect((await refusal(normalizeUpload(flat, 'photo'))).publicMessage).toMatch(
      /not look like a camera photo/,
    )
    // A small flat picture is cheap to decode whatever its file size: not held to the bound.
    expect(
      (await normalizeUpload(await photo(1500, 1500).webp({ lossless: true }).toBuffer(), 'photo')).width,
    ).toBe(1500)
  }, 30_000)
})
