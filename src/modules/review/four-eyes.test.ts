import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { REVIEW_ACTIONS } from '../../db/schema.ts'
import { REASON_CATALOGUE } from '../verification/index.ts'
import { FOUR_EYES_FINDINGS, needsSecondPerson } from './four-eyes.ts'

const codes = Object.keys(REASON_CATALOGUE)
const code = fc.constantFrom(...codes)
const findings = fc.array(code, { maxLength: 5 })

describe('the four-eyes rule', () => {
  it('holds a sanctions rejection whatever the checks found', () => {
    fc.assert(fc.property(findings, (found) => needsSecondPerson('reject', 'SANCTIONS_MATCH', found)))
  })

  it('holds an approval exactly when the checks found a sanctions match, a possible one or a duplicate', () => {
    const held = ['SANCTIONS_MATCH', 'SANCTIONS_POSSIBLE_MATCH', 'DUPLICATE_IDENTITY']
    fc.assert(
      fc.property(findings, (found) => {
        expect(needsSecondPerson('approve', null, found)).toBe(found.some((each) => held.includes(each)))
      }),
    )
  })

  it('lets every other rejection and every request for new photos through at once', () => {
    fc.assert(
      fc.property(fc.constantFrom(...REVIEW_ACTIONS), code, findings, (action, reason, found) => {
        fc.pre(action !== 'approve' && !(action === 'reject' && reason === 'SANCTIONS_MATCH'))
        expect(needsSecondPerson(action, reason, found)).toBe(false)
      }),
    )
  })

  it('names only reasons of the catalogue', () => {
    for (const finding of FOUR_EYES_FINDINGS) expect(codes).toContain(finding)
  })
})
