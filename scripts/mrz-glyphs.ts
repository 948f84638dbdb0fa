// `node scripts/mrz-glyphs.ts`: renders the 37 MRZ glyphs (A-Z, 0-9, <) from the committed OCR-B font
// (assets/fonts/ocr-b/OCRB.otf, see its NOTICE.md) into src/modules/checks/analysis/mrz/ocr-b-glyphs.json,
// the templates the MRZ reader matches against. The runtime reads only that JSON, so it needs neither the
// font nor fontconfig. Each glyph is drawn centred in its monospace cell (the MRZ is printed at a fixed
// pitch), 4× supersampled and box-averaged down, as ink (0 paper … 255 full ink).
import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import sharp from 'sharp'
import { OCR_B_FAMILY, OCR_B_FONT_FILE, useOcrBFont } from '../test/fixtures/documents/ocr-b-font.ts'

const OUTPUT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../src/modules/checks/analysis/mrz/ocr-b-glyphs.json',
)
const CHARACTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<'
/** Template geometry, in template pixels: the cell pitch, the window matched around the cell centre. */
const PITCH = 20
const WIDTH = 18
const SUPERSAMPLE = 4
/** OCR-B's advance is 0.723 em (measured on OCRB.otf): the font size that gives PITCH. */
const ADVANCE_EM = 0.723
const FONT_SIZE = PITCH / ADVANCE_EM

useOcrBFont()

const escapeXml = (character: string) => (character === '<' ? '&lt;' : character)

const render = async (character: string) => {
  const width = PITCH * 2 * SUPERSAMPLE
  const height = PITCH * 2 * SUPERSAMPLE
  const baseline = Math.round(PITCH * 1.5 * SUPERSAMPLE)
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="${width}" height="${height}" fill="white"/><text x="${width / 2}" y="${baseline}" text-anchor="middle" font-family="${OCR_B_FAMILY}" font-size="${FONT_SIZE * SUPERSAMPLE}">${escapeXml(character)}</text></svg>`
  const { data } = await sharp(Buffer.from(svg)).greyscale().raw().toBuffer({ resolveWithObject: true })
  return { ink: Uint8Array.from(data, (grey) => 255 - grey), width, height, baseline }
}

const rendered = await Promise.all([...CHARACTERS].map(render))
const first = rendered[0] as Awaited<ReturnType<typeof render>>
// The window's rows: from above the tallest glyph to below the baseline, the same for every glyph.
let top = first.height
let bottom = 0
for (const glyph of rendered)
  for (let y = 0; y < glyph.height; y++)
    for (let x = 0; x < glyph.width; x++)
      if ((glyph.ink[y * glyph.width + x] ?? 0) > 64) {
        top = Math.min(top, y)
        bottom = Math.max(bottom, y)
      }
const margin = 2 * SUPERSAMPLE
const windowTop = Math.floor((top - margin) / SUPERSAMPLE) * SUPERSAMPLE
const height = Math.ceil((bottom + margin - windowTop) / SUPERSAMPLE)
const windowLeft = first.width / 2 - (WIDTH / 2) * SUPERSAMPLE

const downsample = (glyph: Awaited<ReturnType<typeof render>>) => {
  const out = new Uint8Array(WIDTH * height)
  for (let y = 0; y < height; y++)
    for (let x = 0; x < WIDTH; x++) {
      let sum = 0
      for (let dy = 0; dy < SUPERSAMPLE; dy++)
        for (let dx = 0; dx < SUPERSAMPLE; dx++)
          sum +=
            glyph.ink[(windowTop + y * SUPERSAMPLE + dy) * glyph.width + windowLeft + x * SUPERSAMPLE + dx] ??
            0
      out[y * WIDTH + x] = Math.round(sum / SUPERSAMPLE ** 2)
    }
  return out
}

const glyphs = Object.fromEntries(
  [...CHARACTERS].map((character, index) => [
    character,
    Buffer.from(downsample(rendered[index] as Awaited<ReturnType<typeof render>>)).toString('base64'),
  ]),
)
const rowOf = (y: number) => (y - windowTop) / SUPERSAMPLE
const payload = JSON.stringify(glyphs)
const templates = {
  font: {
    file: 'assets/fonts/ocr-b/OCRB.otf',
    sha256: createHash('sha256').update(readFileSync(OCR_B_FONT_FILE)).digest('hex'),
    provenance: 'Debian fonts-ocr-b 0.3~dfsg1-1 (see assets/fonts/ocr-b/NOTICE.md)',
  },
  generator: 'scripts/mrz-glyphs.ts',
  pitch: PITCH,
  width: WIDTH,
  height,
  /** The baseline and the top of the tallest glyphs (digits), as rows of the window. */
  baseline: rowOf(first.baseline),
  inkTop: rowOf(top),
  glyphsSha256: createHash('sha256').update(payload).digest('hex'),
  glyphs,
}
writeFileSync(OUTPUT, `${JSON.stringify(templates, null, 2)}\n`)
console.log(`wrote ${OUTPUT}: ${CHARACTERS.length} glyphs of ${WIDTH}×${height}`)
