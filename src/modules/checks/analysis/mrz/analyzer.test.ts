import { readFile } from 'node:fs/promises'
import path from 'node:path'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { mrzFixture } from '../../../../../test/fixtures/documents/mrz-set.ts'
import type { AnalysisInput } from '../input.ts'
import { mrzAnalyzer } from './analyzer.ts'

// The read rate on seeded photographed documents (std augmentation: 3–8°, blur σ 0.6–1.6, perspective
// 2–5 %, JPEG 60), with the real templates and the real locator. Photos are cached under
// test/fixtures/.cache/mrz; the first run renders them (about 1.5 s each).
const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]

const passport = (bytes: Buffer): AnalysisInput => ({
  documentType: 'passport',
  issuingCountry: null,
  files: { document_front: { mediaType: 'image/jpeg', bytes } },
})
const idCard = (front: Buffer, back: Buffer): AnalysisInput => ({
  documentType: 'id_card',
  issuingCountry: null,
  files: {
    document_front: { mediaType: 'image/jpeg', bytes: front },
    document_back: { mediaType: 'image/jpeg', bytes: back },
  },
})

beforeAll(async () => {
  await mrzAnalyzer.load()
})

describe('mrz analyzer', { timeout: 120_000 }, () => {
  it('reads every TD3 passport page of the standard set exactly', async () => {
    for (const seed of SEEDS) {
      const fixture = await mrzFixture('TD3', seed, 'std')
      const part = await mrzAnalyzer.analyze(passport(fixture.photo))
      expect({ seed, lines: part?.repairedLines }).toEqual({ seed, lines: fixture.lines })
      expect(part).toMatchObject({ found: true, side: 'document_front', format: 'TD3' })
      expect(part?.documentData).toMatchObject({
        source: 'mrz',
        format: 'TD3',
        documentNumber: fixture.data.documentNumber,
        dateOfBirth: fixture.data.dateOfBirth,
        expiryDate: fixture.data.expiryDate,
        nationality: fixture.data.nationality,
      })
      expect(part?.documentData?.checkDigits.every((check) => check.valid)).toBe(true)
      expect((await sharp(Buffer.from(part?.bandJpeg ?? '', 'base64')).metadata()).format).toBe('jpeg')
    }
  })

  it('reads every TD1 card of the standard set exactly, from its back', async () => {
    for (const seed of SEEDS) {
      const fixture = await mrzFixture('TD1', seed, 'std')
      const part = await mrzAnalyzer.analyze(idCard(fixture.front as Buffer, fixture.photo))
      expect({ seed, lines: part?.repairedLines }).toEqual({ seed, lines: fixture.lines })
      expect(part).toMatchObject({ found: true, side: 'document_back', format: 'TD1' })
    }
  })

  it('reads TD2 cards exactly, telling 36 characters from 44 by the pitch', async () => {
    for (const seed of SEEDS.slice(0, 4)) {
      const fixture = await mrzFixture('TD2', seed, 'std')
      const part = await mrzAnalyzer.analyze(idCard(fixture.front as Buffer, fixture.photo))
      expect({ seed, lines: part?.repairedLines }).toEqual({ seed, lines: fixture.lines })
      expect(part?.format).toBe('TD2')
    }
  })

  it('finds a corrupted check digit, read clearly enough to tell it from a misread', async () => {
    for (const [format, seed] of [
      ['TD3', 21],
      ['TD1', 22],
    ] as const) {
      const fixture = await mrzFixture(format, seed, 'std', 'birthDate')
      const part = await mrzAnalyzer.analyze(
        format === 'TD3' ? passport(fixture.photo) : idCard(fixture.front as Buffer, fixture.photo),
      )
      expect(part?.repairedLines).toEqual(fixture.lines)
      expect(part?.substitutions).toEqual([])
      const failed = part?.checkDigits?.filter((check) => !check.valid)
      expect(failed?.map((check) => check.field)).toEqual(['birthDate'])
      expect(failed?.[0]?.minMargin).toBeGreaterThan(0.1)
      expect(part?.documentData?.checkDigits.find((check) => check.field === 'birthDate')?.valid).toBe(false)
    }
  })

  it('finds no MRZ on a card front, a photo without a document, or a blank page', async () => {
    const card = await mrzFixture('TD1', 1, 'std')
    expect(await mrzAnalyzer.analyze(passport(card.front as Buffer))).toEqual({ found: false })
    const faces = await readFile(path.resolve('node_modules/@vladmandic/face-api/demo/sample2.jpg'))
    expect(await mrzAnalyzer.analyze(passport(faces))).toEqual({ found: false })
    const blank = await sharp({ create: { width: 1600, height: 1200, channels: 3, background: '#d8d4cc' } })
      .jpeg()
      .toBuffer()
    expect(await mrzAnalyzer.analyze(passport(blank))).toEqual({ found: false })
  })

  it('has nothing to read for a driving licence or without a document photo', async () => {
    expect(
      await mrzAnalyzer.analyze({ documentType: 'driving_licence', issuingCountry: 'US', files: {} }),
    ).toBeUndefined()
    expect(
      await mrzAnalyzer.analyze({ documentType: 'passport', issuingCountry: null, files: {} }),
    ).toBeUndefined()
  })
})
