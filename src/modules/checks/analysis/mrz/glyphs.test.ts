import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { BLUR_LEVELS, GLYPHS_FILE, loadGlyphs, MRZ_CHARACTERS } from './glyphs.ts'

const copy = async (edit: (text: string) => string) => {
  const directory = await mkdtemp(path.join(tmpdir(), 'glyphs-'))
  const file = path.join(directory, 'ocr-b-glyphs.json')
  await writeFile(file, edit(await readFile(GLYPHS_FILE, 'utf8')))
  return pathToFileURL(file)
}

describe('OCR-B glyph templates', () => {
  it('loads the 37 MRZ glyphs at every blur level, zero-mean and unit-norm', async () => {
    const glyphs = await loadGlyphs()
    expect(glyphs.levels).toHaveLength(BLUR_LEVELS.length)
    for (const level of glyphs.levels) {
      expect([...level.keys()].sort().join('')).toBe([...MRZ_CHARACTERS].sort().join(''))
      const weights = level.get('A')?.weights ?? new Float32Array()
      expect(weights.reduce((sum, value) => sum + value, 0)).toBeCloseTo(0, 4)
      expect(weights.reduce((sum, value) => sum + value * value, 0)).toBeCloseTo(1, 4)
    }
  })

  it('refuses a missing, unparsable or altered template file, saying how to regenerate it', async () => {
    await expect(loadGlyphs(pathToFileURL('/nonexistent/ocr-b-glyphs.json'))).rejects.toThrow(
      /cannot be read.*mrz-glyphs\.ts/,
    )
    await expect(loadGlyphs(await copy((text) => text.slice(0, 200)))).rejects.toThrow(/not JSON/)
    const altered = await copy((text) =>
      text.replace(/"A": "(.)/, (_, first) => `"A": "${first === 'B' ? 'C' : 'B'}`),
    )
    await expect(loadGlyphs(altered)).rejects.toThrow(/corrupt \(checksum mismatch\)/)
    await expect(loadGlyphs(await copy(() => '{"glyphs": 1}'))).rejects.toThrow(/not a template file/)
  })
})
