import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  CHALLENGE_STEPS,
  type DocumentFileRow,
  type SelfieChallengeRow,
  type StoredSlot,
} from '../../db/schema.ts'
import {
  challengeRefusal,
  completedFrames,
  frameSlots,
  isChallengeSlot,
  pickChallengeSteps,
} from './challenge.ts'

/** A RandomBelow that replays fast-check's draws, so every branch of the picker is reached. */
const replaying = (draws: number[]) => {
  let index = 0
  return (below: number) => (draws[index++ % draws.length] as number) % below
}

const challenge = (overrides: Partial<SelfieChallengeRow> = {}): SelfieChallengeRow => ({
  id: 'chl_1',
  session_id: 'ses_1',
  selfie_id: 'doc_selfie',
  steps: JSON.stringify(['up', 'left']),
  issued_at: 1_000,
  answered_at: null,
  replaced_at: null,
  ...overrides,
})

const file = (slot: StoredSlot, id: string = `doc_${slot}`): DocumentFileRow =>
  ({ id, slot, purged_at: null }) as DocumentFileRow

describe('selfie active challenge', () => {
  it('asks for 2 or 3 distinct poses, whatever the random draws', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(1000), { minLength: 1, maxLength: 8 }), (draws) => {
        const steps = pickChallengeSteps(replaying(draws))
        expect(steps.length).toBeGreaterThanOrEqual(2)
        expect(steps.length).toBeLessThanOrEqual(3)
        expect(new Set(steps).size).toBe(steps.length)
        for (const step of steps) expect(CHALLENGE_STEPS).toContain(step)
        expect(frameSlots(steps)).toHaveLength(steps.length)
      }),
    )
  })

  it('draws every length and every pose first with the CSPRNG', () => {
    const seen = new Set<string>()
    for (let run = 0; run < 400; run += 1) {
      const steps = pickChallengeSteps()
      seen.add(`length ${steps.length}`)
      seen.add(`first ${steps[0]}`)
    }
    expect([...seen].sort()).toEqual([
      'first down',
      'first left',
      'first right',
      'first up',
      'length 2',
      'length 3',
    ])
  })

  it('takes frames only for the current, unanswered challenge of this session, in time', () => {
    const within = 120_000
    expect(challengeRefusal(challenge(), 'ses_1', 1_000 + within, within)).toBeUndefined()
    expect(challengeRefusal(undefined, 'ses_1', 1_000, within)?.code).toBe('CHALLENGE_UNKNOWN')
    expect(challengeRefusal(challenge(), 'ses_2', 1_000, within)?.code).toBe('CHALLENGE_UNKNOWN')
    expect(challengeRefusal(challenge({ replaced_at: 2_000 }), 'ses_1', 2_000, within)?.code).toBe(
      'CHALLENGE_REPLACED',
    )
    expect(challengeRefusal(challenge({ answered_at: 2_000 }), 'ses_1', 2_000, within)?.code).toBe(
      'CHALLENGE_ANSWERED',
    )
    expect(challengeRefusal(challenge(), 'ses_1', 1_001 + within, within)?.code).toBe('CHALLENGE_EXPIRED')
  })

  it('counts as done only when answered for the stored selfie with every frame there', () => {
    const documents = [
      file('selfie', 'doc_selfie'),
      file('challenge_2'),
      file('document_front'),
      file('challenge_1'),
    ]
    const answered = challenge({ answered_at: 2_000 })
    expect(completedFrames(answered, documents)?.map((row) => row.slot)).toEqual([
      'challenge_1',
      'challenge_2',
    ])
    expect(completedFrames(challenge(), documents)).toBeUndefined()
    expect(completedFrames(undefined, documents)).toBeUndefined()
    expect(completedFrames({ ...answered, replaced_at: 3_000 }, documents)).toBeUndefined()
    expect(completedFrames({ ...answered, selfie_id: 'doc_other' }, documents)).toBeUndefined()
    expect(completedFrames(answered, documents.slice(0, 2))).toBeUndefined()
    expect(isChallengeSlot('challenge_3')).toBe(true)
    expect(isChallengeSlot('selfie')).toBe(false)
  })
})
