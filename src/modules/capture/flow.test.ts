import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { DocumentSlot } from '../../db/schema.ts'
import {
  canOpen,
  DOCUMENT_TYPES,
  type FlowFacts,
  isComplete,
  nextStep,
  requiredSlots,
  SLOT_OF_STEP,
  STEPS,
  type Step,
  stepsFor,
} from './flow.ts'

const SLOTS: DocumentSlot[] = ['document_front', 'document_back', 'selfie', 'proof_of_address']

const facts = fc.record<FlowFacts>({
  consented: fc.boolean(),
  documentType: fc.option(fc.constantFrom(...DOCUMENT_TYPES), { nil: null }),
  issuingCountry: fc.option(fc.constantFrom('GB', 'US', 'DE'), { nil: null }),
  uploaded: fc.subarray(SLOTS).map((slots) => new Set(slots)),
  needsAddress: fc.boolean(),
  needsSsn: fc.boolean(),
  ssnGiven: fc.boolean(),
})

/** Does what the step asks, as the user would. */
const complete = (state: FlowFacts, step: Step): FlowFacts => {
  switch (step) {
    case 'consent':
      return { ...state, consented: true }
    case 'document':
      return { ...state, documentType: state.documentType ?? 'id_card', issuingCountry: 'GB' }
    case 'ssn':
      return { ...state, ssnGiven: true }
    case 'review':
      return state
    default:
      return { ...state, uploaded: new Set([...state.uploaded, SLOT_OF_STEP[step]]) }
  }
}

describe('hosted flow steps', () => {
  it('always offers a step that can be opened, and never one after an unfinished step', () => {
    fc.assert(
      fc.property(facts, (state) => {
        const next = nextStep(state)
        expect(canOpen(next, state)).toBe(true)
        const steps = stepsFor(state)
        for (const step of steps.slice(steps.indexOf(next) + 1)) expect(canOpen(step, state)).toBe(false)
      }),
    )
  })

  it('reaches review by doing each offered step, in at most one visit per step', () => {
    fc.assert(
      fc.property(facts, (start) => {
        let state = start
        for (let visits = 0; visits < STEPS.length && nextStep(state) !== 'review'; visits += 1)
          state = complete(state, nextStep(state))
        expect(nextStep(state)).toBe('review')
        expect(canOpen('review', state)).toBe(true)
        for (const slot of requiredSlots(state)) expect(state.uploaded.has(slot)).toBe(true)
      }),
    )
  })

  it('asks for a back only for cards, for an address and an SSN only when needed', () => {
    fc.assert(
      fc.property(facts, (state) => {
        const steps = stepsFor(state)
        expect(steps.includes('back')).toBe(state.documentType !== null && state.documentType !== 'passport')
        expect(steps.includes('address')).toBe(state.needsAddress)
        expect(steps.includes('ssn')).toBe(state.needsSsn)
        expect(steps[0]).toBe('consent')
        expect(steps.at(-1)).toBe('review')
        expect(isComplete('review', state)).toBe(false)
      }),
    )
  })
})
