import { randomInt } from 'node:crypto'
import {
  CHALLENGE_SLOTS,
  CHALLENGE_STEPS,
  type ChallengeSlot,
  type ChallengeStep,
  type DocumentFileRow,
  type SelfieChallengeRow,
  type StoredSlot,
} from '../../db/schema.ts'
import { AppError } from '../../lib/errors.ts'

/**
 * The live selfie's active challenge: a short random sequence of head poses the server asks for right
 * after the selfie, one frame per pose. Passive anti-spoof scores do not tell a printed photo or a
 * screen from a face; a photo or a replayed video cannot follow poses it learns only now. Pure: the
 * service stores and checks what these functions decide.
 */

export const MIN_CHALLENGE_STEPS = 2
/** One frame slot per step (CHALLENGE_SLOTS). */
export const MAX_CHALLENGE_STEPS = CHALLENGE_SLOTS.length

/** A number in [0, below): the CSPRNG by default; tests pass their own. */
export type RandomBelow = (below: number) => number

const cryptoRandomBelow: RandomBelow = (below) => randomInt(below)

/**
 * 2 or 3 distinct poses in a random order (36 sequences), drawn on the server with the CSPRNG: never
 * chosen by the client, so a recording made beforehand follows the right sequence by chance only.
 */
export const pickChallengeSteps = (random: RandomBelow = cryptoRandomBelow): ChallengeStep[] => {
  const count = MIN_CHALLENGE_STEPS + random(MAX_CHALLENGE_STEPS - MIN_CHALLENGE_STEPS + 1)
  const left: ChallengeStep[] = [...CHALLENGE_STEPS]
  const steps: ChallengeStep[] = []
  while (steps.length < count) steps.push(...left.splice(random(left.length), 1))
  return steps
}

export const stepsOf = (challenge: Pick<SelfieChallengeRow, 'steps'>): ChallengeStep[] =>
  JSON.parse(challenge.steps) as ChallengeStep[]

export const isChallengeSlot = (slot: StoredSlot): slot is ChallengeSlot =>
  (CHALLENGE_SLOTS as readonly StoredSlot[]).includes(slot)

/** The slot of each step's frame, in the challenge's order. */
export const frameSlots = (steps: readonly ChallengeStep[]): ChallengeSlot[] =>
  CHALLENGE_SLOTS.slice(0, steps.length)

/**
 * Why frames cannot answer this challenge now, if so: not one of this session's (unknown, or another
 * session's: the same answer, which says nothing about other sessions), replaced by a newer selfie,
 * answered already, or too late.
 */
export const challengeRefusal = (
  challenge: SelfieChallengeRow | undefined,
  sessionId: string,
  now: number,
  answerWithinMs: number,
): AppError | undefined => {
  if (!challenge || challenge.session_id !== sessionId)
    return new AppError('CHALLENGE_UNKNOWN', { internal: `challenge not of session ${sessionId}` })
  if (challenge.replaced_at !== null) return new AppError('CHALLENGE_REPLACED')
  if (challenge.answered_at !== null) return new AppError('CHALLENGE_ANSWERED')
  if (now > challenge.issued_at + answerWithinMs) return new AppError('CHALLENGE_EXPIRED')
  return undefined
}

/**
 * The frames of the session's current challenge, in step order, when it was answered for the selfie
 * that is stored now; undefined otherwise (never answered, or a frame is gone: purged or missing).
 */
export const completedFrames = (
  challenge: SelfieChallengeRow | undefined,
  documents: readonly DocumentFileRow[],
): DocumentFileRow[] | undefined => {
  if (!challenge || challenge.answered_at === null || challenge.replaced_at !== null) return undefined
  const selfie = documents.find((document) => document.slot === 'selfie')
  if (selfie?.id !== challenge.selfie_id) return undefined
  const frames = frameSlots(stepsOf(challenge)).map((slot) =>
    documents.find((document) => document.slot === slot),
  )
  return frames.every((frame) => frame !== undefined) ? frames : undefined
}
