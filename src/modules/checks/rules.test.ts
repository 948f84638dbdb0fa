import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CHECK_OUTCOMES } from '../../db/schema.ts'
import { REASON_CATALOGUE, type ReasonCode } from '../verification/index.ts'
import type { CheckKind, CheckResult } from './check.ts'
import { decisionFrom, REQUIRED_KINDS, requiredKindsFor } from './rules.ts'

const KINDS: CheckKind[] = [
  'account',
  'scenario',
  'document',
  'face',
  'document-policy',
  'validity',
  'duplicate',
  'ssn',
  'address',
  'selfie',
  'liveness',
  'usability',
  'identity',
  'screening',
  'analysis',
]
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
        fc.boolean(),
        fc.constantFrom('intl', 'us'),
        (results, sandbox, region) => {
          const required = requiredKindsFor({ sandbox, region: region as 'intl' | 'us' })
          const { decision } = decisionFrom(results, required)
          if (decision.outcome !== 'approved') return
          expect(results.every((each) => each.outcome === 'pass')).toBe(true)
          for (const kind of required)
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

  it('ask for a retake before a person: a selfie without a face, even when liveness could not conclude', () => {
    const { decision, rule } = decisionFrom(
      [
        result('account', 'pass'),
        result('liveness', 'inconclusive', 'LIVENESS_CHALLENGE_MISSING'),
        result('selfie', 'fail', 'NO_FACE_FOUND'),
      ],
      REQUIRED_KINDS.live,
    )
    expect(decision.outcome).toBe('resubmission_required')
    expect(rule).toBe('every failure is one a new attempt can fix → new photos are asked for')
  })

  it('send fraud signals and machine faults to a person with every reason, even behind an unusable photo', () => {
    for (const signal of [
      result('screening', 'inconclusive', 'SANCTIONS_POSSIBLE_MATCH'),
      result('document', 'fail', 'DOCUMENT_TAMPERED'),
      result('analysis', 'inconclusive', 'ANALYSIS_FAILED'),
    ]) {
      const { decision } = decisionFrom(
        [result('account', 'pass'), result('usability', 'fail', 'IMAGE_GLARE'), signal],
        REQUIRED_KINDS.live,
      )
      expect(decision.outcome, signal.reason).toBe('review')
      expect(
        decision.reasons.map((each) => each.code),
        signal.reason,
      ).toEqual([signal.reason, 'IMAGE_GLARE'])
    }
  })

  it('ask for new photos when a photo cannot be judged, whatever was misread off it', () => {
    const { decision, rule } = decisionFrom(
      [
        result('account', 'pass'),
        result('usability', 'fail', 'IMAGE_BLURRY'),
        result('identity', 'fail', 'NAME_MISMATCH'),
        result('face', 'fail', 'FACE_MISMATCH'),
        result('document', 'inconclusive', 'MRZ_UNREADABLE'),
      ],
      REQUIRED_KINDS.live,
    )
    expect(rule).toMatch(/usability/)
    expect(decision).toMatchObject({ outcome: 'resubmission_required', reasons: [{ code: 'IMAGE_BLURRY' }] })
  })

  it('send a rejection to a person while another check could not conclude (a failure read off a doubted document)', () => {
    const { decision } = decisionFrom(
      [result('account', 'pass'), result('document', 'inconclusive'), result('validity', 'fail', 'UNDERAGE')],
      REQUIRED_KINDS.live,
    )
    expect(decision.outcome).toBe('review')
    expect(decision.reasons.map((each) => each.code)).toEqual(['UNDERAGE'])
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

  it('require every live check kind, and the SSN on top for us submissions', () => {
    const live = REQUIRED_KINDS.live.map((kind) => result(kind, 'pass'))
    expect(decisionFrom(live, requiredKindsFor({ sandbox: false, region: 'intl' })).decision.outcome).toBe(
      'approved',
    )
    const us = requiredKindsFor({ sandbox: false, region: 'us' })
    expect(us).toContain('ssn')
    expect(decisionFrom(live, us).decision.outcome, 'no SSN result').toBe('review')
    expect(decisionFrom([...live, result('ssn', 'pass')], us).decision.outcome).toBe('approved')
    for (const kind of ['validity', 'duplicate', 'document-policy'] as const)
      expect(
        decisionFrom(
          live.filter((each) => each.kind !== kind),
          requiredKindsFor({ sandbox: false, region: 'intl' }),
        ).decision.outcome,
        kind,
      ).toBe('review')
    expect(requiredKindsFor({ sandbox: true, region: 'us' })).toEqual(REQUIRED_KINDS.sandbox)
  })

  it('send a duplicate identity to a person and reject an under-age user', () => {
    const live = REQUIRED_KINDS.live.map((kind) => result(kind, 'pass'))
    const required = requiredKindsFor({ sandbox: false, region: 'intl' })
    const duplicate = [
      ...live.filter((each) => each.kind !== 'duplicate'),
      result('duplicate', 'inconclusive', 'DUPLICATE_IDENTITY'),
    ]
    expect(decisionFrom(duplicate, required).decision).toMatchObject({
      outcome: 'review',
      reasons: [{ code: 'DUPLICATE_IDENTITY', category: 'fraud', failureCode: '110' }],
    })
    const minor = [...live.filter((each) => each.kind !== 'validity'), result('validity', 'fail', 'UNDERAGE')]
    expect(decisionFrom(minor, required).decision.outcome).toBe('rejected')
    const expired = [
      ...live.filter((each) => each.kind !== 'validity'),
      result('validity', 'fail', 'DOCUMENT_EXPIRED'),
    ]
    expect(decisionFrom(expired, required).decision.outcome).toBe('resubmission_required')
    const country = [
      ...live.filter((each) => each.kind !== 'document-policy'),
      result('document-policy', 'fail', 'COUNTRY_NOT_SUPPORTED'),
    ]
    expect(decisionFrom(country, required).decision.outcome).toBe('resubmission_required')
    const restricted = [
      ...live.filter((each) => each.kind !== 'document-policy'),
      result('document-policy', 'fail', 'RESTRICTED_COUNTRY'),
    ]
    expect(decisionFrom(restricted, required).decision.outcome).toBe('rejected')
  })
})
