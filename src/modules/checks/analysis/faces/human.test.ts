import { cpSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { faceModelLocation, verifyFaceModels } from './human.ts'
import { offlineFetch, withOfflineFetch } from './offline-fetch.ts'
import { cosineSimilarity } from './similarity.ts'

const copies: string[] = []
afterEach(() => {
  for (const dir of copies.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A copy of Human's package folder (models and package.json), to break one file in. */
const copyOfHuman = () => {
  const real = faceModelLocation()
  const humanDir = mkdtempSync(join(tmpdir(), 'verity-human-'))
  copies.push(humanDir)
  cpSync(join(real.humanDir, 'package.json'), join(humanDir, 'package.json'))
  cpSync(real.modelsDir, join(humanDir, 'models'), { recursive: true })
  return { ...real, humanDir, modelsDir: join(humanDir, 'models') }
}

describe('the face models', () => {
  it('are accepted as shipped in node_modules', () => {
    expect(() => verifyFaceModels(faceModelLocation())).not.toThrow()
  })

  it('are refused by file name when one is missing', () => {
    const location = copyOfHuman()
    rmSync(join(location.modelsDir, 'faceres.bin'))
    expect(() => verifyFaceModels(location)).toThrow(
      `Face model file missing: ${join(location.modelsDir, 'faceres.bin')}`,
    )
  })

  it('are refused by file name when one is truncated or altered', () => {
    const location = copyOfHuman()
    truncateSync(join(location.modelsDir, 'blazeface.bin'), 1000)
    expect(() => verifyFaceModels(location)).toThrow(
      `Face model file corrupt: ${join(location.modelsDir, 'blazeface.bin')}`,
    )
    const other = copyOfHuman()
    const manifest = join(other.modelsDir, 'antispoof.json')
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('"float32"', '"float16"'))
    expect(() => verifyFaceModels(other)).toThrow(`Face model file corrupt: ${manifest}`)
  })

  it('are refused from another Human release, whose scores the thresholds were not chosen on', () => {
    const location = copyOfHuman()
    const packageFile = join(location.humanDir, 'package.json')
    writeFileSync(
      packageFile,
      JSON.stringify({ ...JSON.parse(readFileSync(packageFile, 'utf8')), version: '3.4.0' }),
    )
    expect(() => verifyFaceModels(location)).toThrow('@vladmandic/human 3.4.0 found')
  })
})

describe('the offline fetch', () => {
  it('serves file:// URLs from disk and names a missing file', async () => {
    const { modelsDir } = faceModelLocation()
    const response = await offlineFetch(pathToFileURL(join(modelsDir, 'models.json')).href)
    expect(await response.json()).toHaveProperty('faceres')
    await expect(offlineFetch(pathToFileURL(join(modelsDir, 'nothing.json')))).rejects.toThrow(
      `Face model file missing or unreadable: ${join(modelsDir, 'nothing.json')}`,
    )
  })

  it('refuses http and https, and is the global fetch only while a load runs', async () => {
    await expect(
      offlineFetch('https://cdn.jsdelivr.net/npm/@vladmandic/human/models/faceres.json'),
    ).rejects.toThrow('Network access refused')
    await expect(offlineFetch(new Request('http://127.0.0.1/models.json'))).rejects.toThrow(
      'Network access refused',
    )
    const before = globalThis.fetch
    await withOfflineFetch(async () => {
      expect(globalThis.fetch).not.toBe(before)
      await expect(fetch('https://example.com/')).rejects.toThrow('Network access refused')
    })
    expect(globalThis.fetch).toBe(before)
  })
})

describe('cosineSimilarity', () => {
  // Embedding-like components (Human's are floats around ±0.1); subnormals would square to zero.
  const vector = fc.array(
    fc.integer({ min: -1000, max: 1000 }).map((x) => x / 1000),
    { minLength: 8, maxLength: 8 },
  )
  it('is symmetric, within [-1, 1], blind to scale, and 1 for a vector with itself', () => {
    fc.assert(
      fc.property(vector, vector, fc.double({ min: 0.01, max: 100, noNaN: true }), (a, b, scale) => {
        const similarity = cosineSimilarity(a, b)
        expect(similarity).toBeGreaterThanOrEqual(-1 - 1e-9)
        expect(similarity).toBeLessThanOrEqual(1 + 1e-9)
        expect(cosineSimilarity(b, a)).toBeCloseTo(similarity, 9)
        expect(
          cosineSimilarity(
            a.map((x) => x * scale),
            b,
          ),
        ).toBeCloseTo(similarity, 9)
        if (a.some((x) => x !== 0)) expect(cosineSimilarity(a, a)).toBeCloseTo(1, 9)
      }),
    )
  })

  it('refuses embeddings of different lengths', () => {
    expect(() => cosineSimilarity([1, 0], [1, 0, 0])).toThrow('different or no length')
  })
})
