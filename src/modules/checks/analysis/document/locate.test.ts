import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { licencePhotoOptions, photographedLicence } from '../../../../../test/fixtures/documents/licences.ts'
import { photograph } from '../../../../../test/fixtures/documents/photograph.ts'
import { renderCard } from '../../../../../test/fixtures/documents/render-card.ts'
import { locateDocument } from './locate.ts'
import { documentAspect } from './rectify.ts'

const ID1 = documentAspect('id_card')
const TD3 = documentAspect('passport')

const worstCornerError = (found: { x: number; y: number }[], truth: { x: number; y: number }[]) =>
  Math.max(
    ...found.map((corner, i) => Math.hypot(corner.x - (truth[i]?.x ?? 0), corner.y - (truth[i]?.y ?? 0))),
  )

describe('locateDocument', () => {
  let card: Buffer
  let passportPage: Buffer
  beforeAll(async () => {
    card = await renderCard({ width: 1012, height: 638 })
    passportPage = await renderCard({ width: 1250, height: 880, band: '#233a6b', paper: '#ece6f2' })
  })

  it('finds the corners of licences photographed at 3–8° on wood, light and grey tables within 15 px', async () => {
    const errors: number[] = []
    for (let seed = 1; seed <= 4; seed++) {
      const { front, back } = await photographedLicence(seed)
      for (const photo of [front, back]) {
        const location = await locateDocument(photo.jpeg, ID1)
        expect(location.inFrame).toBe(true)
        errors.push(worstCornerError(location.corners ?? [], photo.corners))
      }
    }
    expect(Math.max(...errors)).toBeLessThan(15)
  })

  it('finds a plain card and a passport page on every table', async () => {
    for (const [index, background] of (['wood', 'light', 'grey'] as const).entries()) {
      for (const [page, aspect] of [
        [card, ID1],
        [passportPage, TD3],
      ] as const) {
        const photo = await photograph(page, { ...licencePhotoOptions(40 + index), background })
        const location = await locateDocument(photo.jpeg, aspect)
        expect(location.inFrame).toBe(true)
        expect(worstCornerError(location.corners ?? [], photo.corners)).toBeLessThan(15)
      }
    }
  })

  it('reports a document that runs off the photo as cut off, never as in frame', async () => {
    const shifts = [
      { x: 0.35, y: 0 },
      { x: -0.35, y: 0.05 },
      { x: 0, y: 0.3 },
      { x: 0.05, y: -0.32 },
    ]
    for (const [index, shift] of shifts.entries()) {
      const photo = await photograph(card, { ...licencePhotoOptions(60 + index), shift })
      const location = await locateDocument(photo.jpeg, ID1)
      expect(location.inFrame).toBe(false)
      expect(location.cutOff).toBe(true)
    }
  })

  it('finds nothing on an empty table', async () => {
    const nothing = await sharp({
      create: { width: 8, height: 8, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } },
    })
      .png()
      .toBuffer()
    for (const background of ['wood', 'light'] as const) {
      const photo = await photograph(nothing, { ...licencePhotoOptions(80), background })
      expect(await locateDocument(photo.jpeg, ID1)).toMatchObject({
        corners: null,
        inFrame: false,
        cutOff: false,
      })
    }
  })

  it('puts a long side on top whichever way the phone was held', async () => {
    const photo = await photograph(card, { ...licencePhotoOptions(90), rotationDegrees: 92, coverage: 0.5 })
    const location = await locateDocument(photo.jpeg, ID1)
    const [tl, tr, , bl] = location.corners ?? []
    expect(Math.hypot((tr?.x ?? 0) - (tl?.x ?? 0), (tr?.y ?? 0) - (tl?.y ?? 0))).toBeGreaterThan(
      Math.hypot((bl?.x ?? 0) - (tl?.x ?? 0), (bl?.y ?? 0) - (tl?.y ?? 0)),
    )
  })
})
