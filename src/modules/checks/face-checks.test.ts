import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../config/config.ts'
import type { ChallengeFrame, FacesPart, FoundFace, HeadPose } from './analysis/faces/faces-analyzer.ts'
import type { ChallengeStep } from './analysis/input.ts'
import type { CheckContext } from './check.ts'
import { faceMatch } from './face-match.ts'
import { liveness, stepFollowed } from './liveness.ts'
import { selfieFace } from './selfie-face.ts'

// The checks' logic over analysis results; the same checks on real photos and models are in
// analysis/faces/faces-analyzer.test.ts.
const config = loadConfig({
  SERVER_SECRET: '00'.repeat(32),
  DATA_DIR: mkdtempSync(join(tmpdir(), 'verity-faces-')),
})
const face = (score = 0.99): FoundFace => ({ box: { x: 10, y: 10, width: 200, height: 200 }, score })
const neutral: HeadPose = { yaw: 4, pitch: 9, roll: 0 }

const part = (overrides: Partial<FacesPart> = {}): FacesPart => ({
  model: 'human@3.3.6',
  selfie: { faces: [face()], main: { face: face(), pose: neutral, real: 0.6, live: 0.9, crop: 'x' } },
  document: { source: 'squared document', faces: [face()], portrait: { face: face(), crop: 'y' } },
  similarity: 0.8,
  challenge: null,
  ...overrides,
})

const run = async (check: typeof faceMatch, faces: FacesPart | undefined, settings = config) =>
  check.run({ analysis: faces ? { faces } : {}, config: settings, sandbox: false } as unknown as CheckContext)

const frame = (
  step: ChallengeStep,
  pose: HeadPose | null,
  similarityToSelfie: number | null = 0.9,
): ChallengeFrame => ({
  step,
  faces: pose ? [face()] : [],
  pose,
  similarityToSelfie,
  similarityToPortrait: 0.8,
  crop: null,
})
const withChallenge = (steps: ChallengeStep[], frames: ChallengeFrame[]) =>
  part({ challenge: { steps, frames } })
const turned = (yaw: number, pitch: number): HeadPose => ({
  yaw: neutral.yaw + yaw,
  pitch: neutral.pitch + pitch,
  roll: 0,
})

describe('selfie-face', () => {
  it('counts only faces the detector is sure of', async () => {
    const selfie = (scores: number[]) =>
      part({
        selfie: {
          faces: scores.map(face),
          main: { face: face(), pose: neutral, real: null, live: null, crop: '' },
        },
      })
    expect(await run(selfieFace, selfie([0.99, config.FACE_MIN_SCORE - 0.01]))).toMatchObject({
      outcome: 'pass',
    })
    expect(await run(selfieFace, selfie([0.99, config.FACE_MIN_SCORE]))).toMatchObject({
      reason: 'MULTIPLE_FACES',
    })
    expect(await run(selfieFace, selfie([0.5]))).toMatchObject({ outcome: 'fail', reason: 'NO_FACE_FOUND' })
    expect(await run(selfieFace, undefined)).toMatchObject({
      outcome: 'inconclusive',
      reason: 'MEDIA_MISSING',
    })
  })
})

describe('face-match', () => {
  it('passes from the match threshold, rejects below the review threshold, and asks a person between', async () => {
    fc.assert(
      fc.asyncProperty(fc.double({ min: -1, max: 1, noNaN: true }), async (similarity) => {
        const result = await run(faceMatch, part({ similarity }))
        if (similarity >= config.FACE_MATCH_THRESHOLD) expect(result.outcome).toBe('pass')
        else if (similarity < config.FACE_REVIEW_THRESHOLD)
          expect(result).toMatchObject({ outcome: 'fail', reason: 'FACE_MISMATCH' })
        else expect(result).toMatchObject({ outcome: 'inconclusive', reason: 'FACE_MATCH_UNCERTAIN' })
      }),
    )
    expect(await run(faceMatch, part({ similarity: config.FACE_MATCH_THRESHOLD }))).toMatchObject({
      outcome: 'pass',
    })
    expect(await run(faceMatch, part({ similarity: config.FACE_REVIEW_THRESHOLD }))).toMatchObject({
      outcome: 'inconclusive',
    })
  })

  it('never passes without both faces', async () => {
    expect(
      await run(
        faceMatch,
        part({ document: { source: 'photo', faces: [], portrait: null }, similarity: null }),
      ),
    ).toMatchObject({
      outcome: 'inconclusive',
      reason: 'DOCUMENT_PORTRAIT_NOT_FOUND',
    })
    expect(await run(faceMatch, part({ selfie: { faces: [], main: null }, similarity: null }))).toMatchObject(
      {
        outcome: 'inconclusive',
      },
    )
    expect(await run(faceMatch, undefined)).toMatchObject({ outcome: 'inconclusive' })
  })
})

describe('liveness', () => {
  const yaw = config.LIVENESS_YAW_DEGREES
  const pitch = config.LIVENESS_PITCH_DEGREES

  it('reads each step from the selfie pose: left is negative yaw, right positive, up negative pitch, down positive', () => {
    expect(stepFollowed('left', neutral, turned(-yaw, 0), config)).toBe(true)
    expect(stepFollowed('left', neutral, turned(-yaw + 0.1, 0), config)).toBe(false)
    expect(stepFollowed('right', neutral, turned(yaw, 0), config)).toBe(true)
    expect(stepFollowed('right', neutral, turned(-yaw, 0), config)).toBe(false)
    expect(stepFollowed('up', neutral, turned(0, -pitch), config)).toBe(true)
    expect(stepFollowed('up', neutral, turned(0, pitch), config)).toBe(false)
    expect(stepFollowed('down', neutral, turned(0, pitch), config)).toBe(true)
    expect(stepFollowed('down', neutral, turned(yaw * 2, pitch - 0.1), config)).toBe(false)
  })

  it('passes when every frame is the selfie person posed as asked', async () => {
    const result = await run(
      liveness,
      withChallenge(
        ['right', 'down', 'left'],
        [frame('right', turned(25, 0)), frame('down', turned(0, 14)), frame('left', turned(-30, 2))],
      ),
    )
    expect(result).toMatchObject({ outcome: 'pass', score: 0.9 })
    expect(result.evidence?.signals).toEqual({ antispoofReal: 0.6, liveness: 0.9 })
  })

  it('never passes on the passive signals: a perfect anti-spoof score without a challenge goes to a person', async () => {
    const faces = part()
    if (faces.selfie?.main) Object.assign(faces.selfie.main, { real: 1, live: 1 })
    expect(await run(liveness, faces)).toMatchObject({
      outcome: 'inconclusive',
      reason: 'LIVENESS_CHALLENGE_MISSING',
    })
  })

  it('asks for a retake when a pose was not followed or a frame shows no face', async () => {
    expect(
      await run(
        liveness,
        withChallenge(['up', 'left'], [frame('up', turned(0, -12)), frame('left', turned(5, 0))]),
      ),
    ).toMatchObject({
      outcome: 'fail',
      reason: 'LIVENESS_CHALLENGE_NOT_FOLLOWED',
    })
    expect(
      await run(liveness, withChallenge(['up', 'left'], [frame('up', turned(0, -12)), frame('left', null)])),
    ).toMatchObject({
      outcome: 'fail',
      reason: 'LIVENESS_CHALLENGE_NOT_FOLLOWED',
    })
  })

  it('rejects frames that show another person, even when the poses were followed', async () => {
    const result = await run(
      liveness,
      withChallenge(
        ['left', 'right'],
        [frame('left', turned(-30, 0)), frame('right', turned(30, 0), config.FACE_REVIEW_THRESHOLD - 0.01)],
      ),
    )
    expect(result).toMatchObject({ outcome: 'fail', reason: 'LIVENESS_FACE_CHANGED' })
  })

  it('asks a person when a frame is only probably the same face', async () => {
    const between = (config.FACE_REVIEW_THRESHOLD + config.FACE_MATCH_THRESHOLD) / 2
    expect(
      await run(liveness, withChallenge(['left'], [frame('left', turned(-30, 0), between)])),
    ).toMatchObject({
      outcome: 'inconclusive',
      reason: 'FACE_MATCH_UNCERTAIN',
    })
  })

  it('asks for a retake when a frame shows two faces, and a person when frames and steps do not pair up', async () => {
    const crowded = { ...frame('left', turned(-30, 0)), faces: [face(), face(0.95)] }
    expect(await run(liveness, withChallenge(['left'], [crowded]))).toMatchObject({
      reason: 'MULTIPLE_FACES',
    })
    expect(await run(liveness, withChallenge(['left', 'up'], [frame('left', turned(-30, 0))]))).toMatchObject(
      {
        outcome: 'inconclusive',
        reason: 'LIVENESS_CHALLENGE_MISSING',
      },
    )
  })

  it('follows its configured angles', async () => {
    const strict = { ...config, LIVENESS_YAW_DEGREES: 35 }
    const faces = withChallenge(['left'], [frame('left', turned(-30, 0))])
    expect(await run(liveness, faces)).toMatchObject({ outcome: 'pass' })
    expect(await run(liveness, faces, strict)).toMatchObject({ outcome: 'fail' })
  })
})
