import { beforeAll, describe, expect, it } from 'vitest'
import {
  licenceData,
  licencePhotoOptions,
  portrait,
} from '../../../../../test/fixtures/documents/licences.ts'
import { photograph } from '../../../../../test/fixtures/documents/photograph.ts'
import {
  renderLicenceBack,
  renderLicenceFront,
} from '../../../../../test/fixtures/documents/render-licence.ts'
import { darkened, overexposed, withGlare } from '../../../../../test/fixtures/documents/spoil.ts'
import { defaultCheckConfig } from '../../../../../test/helpers/check-config.ts'
import { documentPhotoProblems } from '../../image-usability.ts'
import type { AnalysisInput } from '../input.ts'
import { type DocumentPhoto, documentAnalyzer } from './document-analyzer.ts'

const config = defaultCheckConfig()

const analyzeFront = async (jpeg: Buffer): Promise<DocumentPhoto> => {
  const input: AnalysisInput = {
    documentType: 'driving_licence',
    issuingCountry: 'US',
    files: { document_front: { mediaType: 'image/jpeg', bytes: new Uint8Array(jpeg) } },
  }
  const part = await documentAnalyzer.analyze(input)
  if (!part?.front) throw new Error('no front analysed')
  return part.front
}

describe('document analyzer: usability metrics on photographed licences', () => {
  let front: Buffer
  let back: Buffer
  const options = { ...licencePhotoOptions(3), rotationDegrees: 5, blur: 0.8 }
  beforeAll(async () => {
    await documentAnalyzer.load()
    const data = licenceData(3)
    front = await renderLicenceFront(data, await portrait(3))
    back = await renderLicenceBack(data)
  })

  it('passes sharp, well-lit photos of both sides, with corners and a thumbnail', async () => {
    for (const page of [front, back]) {
      const photo = await photograph(page, options)
      const analysed = await analyzeFront(photo.jpeg)
      expect(analysed.inFrame).toBe(true)
      expect(analysed.sharpness).toBeGreaterThan(200)
      expect(analysed.glare).toBeLessThan(0.001)
      expect(analysed.thumbnail && Buffer.from(analysed.thumbnail, 'base64').subarray(0, 2)).toEqual(
        Buffer.from([0xff, 0xd8]),
      )
      expect(documentPhotoProblems(analysed, config)).toEqual([])
    }
  })

  it('tells blurred, dark, over-exposed, glaring, small and cut-off photos apart', async () => {
    const sharpPhoto = await photograph(front, options)
    const cases: [string, Buffer, string][] = [
      ['blurred (σ 3)', (await photograph(front, { ...options, blur: 3 })).jpeg, 'IMAGE_BLURRY'],
      ['dark (× 0.25)', await darkened(sharpPhoto.jpeg), 'IMAGE_TOO_DARK'],
      ['over-exposed', await overexposed(sharpPhoto.jpeg, 1.6), 'IMAGE_OVEREXPOSED'],
      ['glare', await withGlare(sharpPhoto.jpeg, sharpPhoto.corners), 'IMAGE_GLARE'],
      [
        'small (640 × 480 photo)',
        (await photograph(front, { ...options, frame: { width: 640, height: 480 } })).jpeg,
        'IMAGE_TOO_SMALL',
      ],
      [
        'cut off',
        (await photograph(front, { ...options, shift: { x: 0.35, y: 0 } })).jpeg,
        'DOCUMENT_NOT_IN_FRAME',
      ],
    ]
    for (const [label, jpeg, reason] of cases) {
      const problems = documentPhotoProblems(await analyzeFront(jpeg), config)
      expect({ label, first: problems[0] }).toEqual({ label, first: reason })
    }
  })

  it('keeps a small glint under the glare threshold', async () => {
    const photo = await photograph(front, options)
    const analysed = await analyzeFront(await withGlare(photo.jpeg, photo.corners, { share: 0.1 }))
    expect(analysed.glare).toBeGreaterThan(0)
    expect(analysed.glare).toBeLessThan(config.USABILITY_MAX_GLARE_SHARE)
  })
})
