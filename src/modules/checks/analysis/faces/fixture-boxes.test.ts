import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEMO_DIR, type FaceBoxes } from '../../../../../test/fixtures/faces.ts'
import { detectFaces } from './human.ts'
import { decodeForFaces } from './image.ts'

const BOXES_FILE = new URL('../../../../../test/fixtures/faces/boxes.json', import.meta.url)

// The faces the fixtures use: confidently detected and large enough to crop a document portrait from.
const MIN_SCORE = 0.7
const MIN_SIDE = 150

/** Where Human finds the demo photos' faces today, in the photos' own pixels, left to right. */
const detectBoxes = async (): Promise<FaceBoxes> => {
  const boxes: FaceBoxes = {}
  for (let sample = 1; sample <= 6; sample++) {
    const file = `sample${sample}.jpg`
    const image = await decodeForFaces(readFileSync(join(DEMO_DIR, file)))
    const { face } = await detectFaces(image)
    boxes[file] = face
      .filter((found) => found.score >= MIN_SCORE && found.box[3] * image.scale >= MIN_SIDE)
      .sort((a, b) => a.box[0] - b.box[0])
      .map((found) => ({
        box: found.box.map((value) => Math.round(value * image.scale)) as [number, number, number, number],
        score: Number(found.score.toFixed(3)),
        yawDegrees: Number(((found.rotation?.angle.yaw ?? 0) * (180 / Math.PI)).toFixed(1)),
      }))
  }
  return boxes
}

describe('the face fixtures', () => {
  // `UPDATE_FACE_BOXES=1 npx vitest run <this file>` rewrites boxes.json (after a Human upgrade).
  it('crop faces where Human finds them: the committed boxes.json is current', async () => {
    const detected = await detectBoxes()
    if (process.env.UPDATE_FACE_BOXES === '1')
      writeFileSync(BOXES_FILE, `${JSON.stringify(detected, null, 2)}\n`)
    const committed = JSON.parse(readFileSync(BOXES_FILE, 'utf8')) as FaceBoxes
    expect(Object.values(detected).flat()).toHaveLength(22)
    for (const [file, faces] of Object.entries(committed)) {
      expect(detected[file], file).toHaveLength(faces.length)
      faces.forEach((face, index) => {
        const now = detected[file]?.[index]?.box ?? [0, 0, 0, 0]
        for (const [axis, value] of face.box.entries())
          expect(Math.abs((now[axis] ?? 0) - value), `${file} face ${index}`).toBeLessThanOrEqual(
            face.box[2] * 0.05,
          )
      })
    }
  })
})
