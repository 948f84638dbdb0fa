import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { VerificationState } from '../../db/schema.ts'
import { nextState, type VerificationEvent } from './state-machine.ts'

const STATES: VerificationState[] = ['UNVERIFIED', 'PENDING', 'VERIFIED', 'REJECTED']
const event = fc.oneof(
  fc.constant<VerificationEvent>({ type: 'submitted' }),
  fc.constant<VerificationEvent>({ type: 'resubmission_required' }),
  fc.constantFrom<VerificationEvent>(
    { type: 'decided', decision: 'VERIFIED' },
    { type: 'decided', decision: 'REJECTED' },
  ),
)

// The transitions the brief allows, and nothing else.
const ALLOWED = new Set([
  'UNVERIFIED>PENDING',
  'REJECTED>PENDING',
  'PENDING>VERIFIED',
  'PENDING>REJECTED',
  'PENDING>UNVERIFIED',
  'VERIFIED>REJECTED',
])

/** Replays events the way the service does: illegal ones are refused and change nothing. */
const replay = (events: VerificationEvent[]) => {
  let state: VerificationState = 'UNVERIFIED'
  let version = 0
  let reverifying = false
  const history: { from: VerificationState; to: VerificationState; version: number }[] = []
  for (const next of events) {
    const result = nextState(state, next, { reverifying })
    if (result.kind === 'illegal') continue
    if (next.type === 'submitted') reverifying = state === 'VERIFIED'
    else reverifying = false
    if (result.kind === 'changed') {
      version += 1
      history.push({ from: result.from, to: result.to, version })
      state = result.to
    }
  }
  return { state, version, history }
}

describe('verification state machine', () => {
  it('never takes a transition the brief does not allow, and versions only grow by one', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), (events) => {
        const { state, history } = replay(events)
        expect(STATES).toContain(state)
        history.forEach((step, index) => {
          expect(ALLOWED.has(`${step.from}>${step.to}`), `${step.from}>${step.to}`).toBe(true)
          expect(step.version).toBe(index + 1)
          if (index > 0) expect(step.from).toBe(history[index - 1]?.to)
        })
      }),
    )
  })

  it('reaches VERIFIED or REJECTED only through PENDING or a re-verification', () => {
    fc.assert(
      fc.property(fc.constantFrom(...STATES), event, fc.boolean(), (state, next, reverifying) => {
        const result = nextState(state, next, { reverifying })
        if (result.kind === 'changed' && (result.to === 'VERIFIED' || result.to === 'REJECTED')) {
          expect(next.type).toBe('decided')
          expect(state === 'PENDING' || (state === 'VERIFIED' && reverifying)).toBe(true)
        }
      }),
    )
  })

  it('keeps a verified user VERIFIED while a new submission is checked, then takes its decision', () => {
    expect(nextState('VERIFIED', { type: 'submitted' })).toEqual({ kind: 'unchanged', state: 'VERIFIED' })
    expect(nextState('VERIFIED', { type: 'decided', decision: 'REJECTED' }, { reverifying: true })).toEqual({
      kind: 'changed',
      from: 'VERIFIED',
      to: 'REJECTED',
    })
    expect(nextState('VERIFIED', { type: 'decided', decision: 'REJECTED' }).kind).toBe('illegal')
  })

  it('refuses a second submission while one is checked, and decisions with nothing to decide', () => {
    expect(nextState('PENDING', { type: 'submitted' }).kind).toBe('illegal')
    expect(nextState('UNVERIFIED', { type: 'decided', decision: 'VERIFIED' }).kind).toBe('illegal')
    expect(nextState('REJECTED', { type: 'resubmission_required' }).kind).toBe('illegal')
  })
})
