import type { Config } from '../../config/config.ts'
import type { ChallengeFrame, HeadPose } from './analysis/faces/faces-analyzer.ts'
import type { ChallengeStep } from './analysis/input.ts'
import type { Check, CheckFinding } from './check.ts'

type Thresholds = Pick<
  Config,
  | 'FACE_MATCH_THRESHOLD'
  | 'FACE_REVIEW_THRESHOLD'
  | 'FACE_MIN_SCORE'
  | 'LIVENESS_YAW_DEGREES'
  | 'LIVENESS_PITCH_DEGREES'
>

export type FrameVerdict =
  | 'followed'
  | 'not-followed'
  | 'no-face'
  | 'several-faces'
  | 'other-face'
  | 'uncertain-face'

/**
 * Whether a frame's head pose answers its step, measured from the pose before it (the selfie's for the
 * first step, the previous frame's after that) rather than from straight ahead: how a phone is held
 * tilts everyone's resting pitch by 5–15° (measured on the demo photos), people do not come back to
 * the middle between "turn left" and "turn right", and a replayed still photo, selfie and frames alike,
 * moves by nothing. Poses are as the camera sees the person (never mirrored): turning to one's own left
 * points the face to the image's right, which Human reports as negative yaw; looking up is negative pitch.
 */
export const stepFollowed = (step: ChallengeStep, before: HeadPose, frame: HeadPose, t: Thresholds) => {
  const yaw = frame.yaw - before.yaw
  const pitch = frame.pitch - before.pitch
  switch (step) {
    case 'left':
      return yaw <= -t.LIVENESS_YAW_DEGREES
    case 'right':
      return yaw >= t.LIVENESS_YAW_DEGREES
    case 'up':
      return pitch <= -t.LIVENESS_PITCH_DEGREES
    case 'down':
      return pitch >= t.LIVENESS_PITCH_DEGREES
  }
}

export const frameVerdict = (frame: ChallengeFrame, before: HeadPose, t: Thresholds): FrameVerdict => {
  const counted = frame.faces.filter((face) => face.score >= t.FACE_MIN_SCORE).length
  if (counted === 0 || frame.pose === null) return 'no-face'
  if (counted > 1) return 'several-faces'
  const similarity = frame.similarityToSelfie
  if (similarity === null) return 'uncertain-face'
  if (similarity < t.FACE_REVIEW_THRESHOLD) return 'other-face'
  if (similarity < t.FACE_MATCH_THRESHOLD) return 'uncertain-face'
  return stepFollowed(frame.step, before, frame.pose, t) ? 'followed' : 'not-followed'
}

/**
 * The live selfie's active challenge: every frame shows one face, the selfie's person, posed as the step
 * asked. Human's passive anti-spoof and liveness scores go into the evidence as signals and never decide:
 * measured, they do not tell printed photos or screens from real selfies (checks-stack.md §3.3). A
 * selfie without a challenge (uploaded without a camera) cannot be judged live: a person looks.
 */
export const liveness: Check = {
  id: 'liveness',
  version: '2',
  kind: 'liveness',
  appliesTo: ({ sandbox }) => !sandbox,
  run: ({ analysis, config }): CheckFinding => {
    const faces = analysis.faces
    const main = faces?.selfie?.main ?? null
    const thresholds = {
      yawDegrees: config.LIVENESS_YAW_DEGREES,
      pitchDegrees: config.LIVENESS_PITCH_DEGREES,
      match: config.FACE_MATCH_THRESHOLD,
      review: config.FACE_REVIEW_THRESHOLD,
      minScore: config.FACE_MIN_SCORE,
    }
    const evidence: Record<string, unknown> = {
      signals: { antispoofReal: main?.real ?? null, liveness: main?.live ?? null },
      thresholds,
      selfiePose: main?.pose ?? null,
    }
    const challenge = faces?.challenge
    if (!challenge) return { outcome: 'inconclusive', reason: 'LIVENESS_CHALLENGE_MISSING', evidence }
    evidence.steps = challenge.steps
    if (challenge.steps.length === 0 || challenge.frames.length !== challenge.steps.length)
      return { outcome: 'inconclusive', reason: 'LIVENESS_CHALLENGE_MISSING', evidence }
    // No pose to start from: the selfie check asks for a new selfie; nothing here can be judged.
    if (!main?.pose) return { outcome: 'inconclusive', reason: 'NO_FACE_FOUND', evidence }

    const verdicts = challenge.frames.map((frame, index) =>
      frameVerdict(frame, challenge.frames[index - 1]?.pose ?? (main.pose as HeadPose), config),
    )
    evidence.frames = challenge.frames.map((frame, index) => ({ ...frame, verdict: verdicts[index] }))
    const similarities = challenge.frames.map((frame) => frame.similarityToSelfie ?? 0)
    const score = Number(Math.min(...similarities).toFixed(4))
    const any = (verdict: FrameVerdict) => verdicts.includes(verdict)
    // Someone else in front of the camera between the selfie and the frames: not a retake's business.
    if (any('other-face')) return { outcome: 'fail', reason: 'LIVENESS_FACE_CHANGED', score, evidence }
    if (any('several-faces')) return { outcome: 'fail', reason: 'MULTIPLE_FACES', score, evidence }
    if (any('no-face') || any('not-followed'))
      return { outcome: 'fail', reason: 'LIVENESS_CHALLENGE_NOT_FOLLOWED', score, evidence }
    if (any('uncertain-face'))
      return { outcome: 'inconclusive', reason: 'FACE_MATCH_UNCERTAIN', score, evidence }
    return { outcome: 'pass', score, evidence }
  },
}
