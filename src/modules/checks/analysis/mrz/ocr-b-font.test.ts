import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { OCR_B_FAMILY, useOcrBFont } from '../../../../../test/fixtures/documents/ocr-b-font.ts'
import { loadGlyphs, MRZ_CHARACTERS } from './glyphs.ts'

useOcrBFont()

/** One glyph drawn by librsvg (sharp's SVG renderer) as the glyph script draws it, 4× then averaged down. */
const draw = async (
  character: string,
  family: string,
  pitch: number,
  width: number,
  height: number,
  baseline: number,
) => {
  const scale = 4
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width * scale}" height="${height * scale}"><rect width="100%" height="100%" fill="white"/><text x="${(width * scale) / 2}" y="${baseline * scale}" text-anchor="middle" font-family="${family}" font-size="${(pitch / 0.723) * scale}">${character === '<' ? '&lt;' : character}</text></svg>`
  const { data } = await sharp(Buffer.from(svg))
    .greyscale()
    .resize(width, height, { kernel: 'cubic' })
    .raw()
    .toBuffer({ resolveWithObject: true })
  const ink = Float32Array.from(data, (grey) => 255 - grey)
  const mean = ink.reduce((sum, value) => sum + value, 0) / ink.length
  const centred = ink.map((value) => value - mean)
  const norm = Math.sqrt(centred.reduce((sum, value) => sum + value * value, 0))
  return centred.map((value) => value / norm)
}

const dot = (a: Float32Array, b: Float32Array) =>
  a.reduce((sum, value, index) => sum + value * (b[index] as number), 0)

describe('the fixtures render the MRZ in OCR-B, not a fallback font', () => {
  it('draws with the committed OCR-B what the glyph templates hold, and a fallback font does not', async () => {
    const glyphs = await loadGlyphs()
    const sharpest = glyphs.levels[0] as Map<string, { weights: Float32Array }>
    const geometry = [glyphs.pitch, glyphs.width, glyphs.height, glyphs.baseline] as const
    let fallbackMisses = 0
    for (const character of MRZ_CHARACTERS) {
      const template = sharpest.get(character)?.weights as Float32Array
      expect({
        character,
        ocrB: dot(await draw(character, OCR_B_FAMILY, ...geometry), template) > 0.9,
      }).toEqual({
        character,
        ocrB: true,
      })
      if (dot(await draw(character, 'DejaVu Sans', ...geometry), template) < 0.9) fallbackMisses++
    }
    expect(fallbackMisses).toBeGreaterThan(20)
  })
})
