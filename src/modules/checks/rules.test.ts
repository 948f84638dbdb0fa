import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CHECK_OUTCOMES } from '../../db/schema.ts'
import { REASON_CATALOGUE, type ReasonCode } from '../verification/index.ts'
import type { CheckKind, CheckResult } from './check.ts'
import { decisionFrom, REQUIRED_KINDS } from './rules.ts'

const KINDS: CheckKind[] = ['account', 'scenario', 'document', 'selfie', 'face', 'liveness']
const result = (
  kind: CheckKind,
  outcome: CheckResult['outcome'],
  reason?: CheckResult['reason'],
): CheckResult => ({
  id: `${kind}-check`,
  version: '1',
  kind,
  outcome,
  ...(reason ? { reason } : {}),
})

const anyResult = fc
  .record({
    kind: fc.constantFrom(...KINDS),
    outcome: fc.constantFrom(...CHECK_OUTCOMES),
    reason: fc.option(fc.constantFrom(...(Object.keys(REASON_CATALOGUE) as ReasonCode[])), {
      nil: undefined,
    }),
  })
  .map(({ kind, outcome, reason }) =>
    result(kind, outcome, outcome === 'fail' ? (reason ?? 'FACE_MISMATCH') : reason),
  )

describe('the decision rules', () => {
  it('never approve when a check could not conclude, failed, or a required kind has no pass', () => {
    fc.assert(
      fc.property(
        fc.array(anyResult, { maxLength: 6 }),
        fc.constantFrom('sandbox', 'live'),
        (results, mode) => {
          const { decision } = decisionFrom(results, REQUIRED_KINDS[mode as 'sandbox' | 'live'])
          if (decision.outcome !== 'approved') return
          expect(results.every((each) => each.outcome === 'pass')).toBe(true)
          for (const kind of REQUIRED_KINDS[mode as 'sandbox' | 'live'])
            expect(
              results.some((each) => each.kind === kind && each.outcome === 'pass'),
              kind,
            ).toBe(true)
        },
      ),
    )
  })

  it('approve a sandbox submission whose account and scenario passed', () => {
    expect(
      decisionFrom([result('account', 'pass'), result('scenario', 'pass')], REQUIRED_KINDS.sandbox).decision,
    ).toEqual({
      outcome: 'approved',
      reasons: [],
    })
  })

  it('send a live submission to a person while no document or face check vouches for it', () => {
    expect(decisionFrom([result('account', 'pass')], REQUIRED_KINDS.live)).toEqual({
      decision: { outcome: 'review', reasons: [] },
      rule: 'evidence the mode requires was not checked → a person decides',
    })
  })

  it('put a check that could not conclude before any failure: a suspended user is never rejected by the machine', () => {
    const { decision } = decisionFrom(
      [result('account', 'inconclusive', 'ACCOUNT_SUSPENDED'), result('scenario', 'fail', 'FACE_MISMATCH')],
      REQUIRED_KINDS.sandbox,
    )
    expect(decision.outcome).toBe('review')
    expect(decision.reasons.map((each) => each.code)).toEqual(['ACCOUNT_SUSPENDED'])
  })

  it('ask for new photos when every failure is retryable, and reject otherwise', () => {
    const retryable = [result('account', 'pass'), result('document', 'fail', 'POOR_IMAGE_QUALITY')]
    expect(decisionFrom(retryable, REQUIRED_KINDS.live).decision.outcome, 'retryable').toBe(
      'resubmission_required',
    )
    const final = [...retryable, result('face', 'fail', 'FACE_MISMATCH')]
    const { decision } = decisionFrom(final, REQUIRED_KINDS.live)
    expect(decision.outcome, 'not retryable').toBe('rejected')
    expect(
      decision.reasons.map((each) => each.code),
      'not retryable',
    ).toEqual(['POOR_IMAGE_QUALITY', 'FACE_MISMATCH'])
  })
})
