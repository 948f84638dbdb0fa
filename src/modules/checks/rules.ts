import type { Region } from '../../db/database.ts'
import { type Decision, REASON_CATALOGUE, reason } from '../verification/index.ts'
import type { CheckKind, CheckResult } from './check.ts'

/** What a submission must have passed to be approved by the machine, per client mode. */
export const REQUIRED_KINDS: Readonly<Record<'sandbox' | 'live', readonly CheckKind[]>> = {
  sandbox: ['account', 'scenario'],
  live: [
    'account',
    'usability',
    'document-policy',
    'document',
    'validity',
    'selfie',
    'face',
    'liveness',
    'duplicate',
    'identity',
    'screening',
  ],
}

/** What a live submission needs on top, by region: every us user gives an SSN (capture flow). */
export const REQUIRED_KINDS_BY_REGION: Readonly<Record<Region, readonly CheckKind[]>> = {
  intl: [],
  us: ['ssn'],
}

/**
 * The kinds one submission must have passed. A check that applies must pass anyway — any failing or
 * inconclusive result comes before approval in RULES — so what this adds is the other direction: a
 * us submission whose SSN check did not run at all (no result) is not approved either.
 */
export const requiredKindsFor = (submission: { sandbox: boolean; region: Region }): readonly CheckKind[] =>
  submission.sandbox
    ? REQUIRED_KINDS.sandbox
    : [...REQUIRED_KINDS.live, ...REQUIRED_KINDS_BY_REGION[submission.region]]

const reasonsOf = (results: readonly CheckResult[]) =>
  results.flatMap((result) => (result.reason ? [reason(result.reason)] : []))

type Rule = {
  rule: string
  when(results: readonly CheckResult[], required: readonly CheckKind[]): boolean
  decides(results: readonly CheckResult[]): Decision
}

const inconclusive = (results: readonly CheckResult[]) => results.filter((r) => r.outcome === 'inconclusive')
const failed = (results: readonly CheckResult[]) => results.filter((r) => r.outcome === 'fail')

// Fraud (tampering, another face, a duplicate identity, a sanctions hit) and system faults: never
// hidden behind a retake, never a rejection by the machine alone.
const SIGNAL_CATEGORIES = new Set(['fraud', 'system'])
const signals = (results: readonly CheckResult[]) =>
  results.filter(
    (r) =>
      r.outcome !== 'pass' &&
      r.reason !== undefined &&
      SIGNAL_CATEGORIES.has(REASON_CATALOGUE[r.reason].category),
  )

const onlyRetryableFailures = (results: readonly CheckResult[]) =>
  failed(results).length > 0 &&
  failed(results).every((result) => result.reason !== undefined && REASON_CATALOGUE[result.reason].retryable)

/**
 * The decision rules, in order: the first that matches decides. Doubt never approves: a check that
 * could not conclude, or evidence the mode requires that no check vouched for, sends the case to a
 * person; approval is the last rule, reached only when every required kind has passed.
 *
 * The order between the others is chosen so that nobody is told the wrong thing:
 * - the account comes first: for a suspended user (or a disabled client) the machine decides nothing;
 * - then signs of fraud and machine faults, failed or inconclusive: a person decides, seeing every
 *   reason (a sanctions hit behind a blurry photo is not turned into a retake, and a tampered document
 *   or another face in the challenge is confirmed by a person, never rejected by the machine alone);
 * - photos that cannot be judged come next: what was read off a blurred, dark or cropped photo (a
 *   misread name, a portrait that does not match) says nothing about the person, so new photos are
 *   asked for whatever else failed; likewise when every failure is one a new attempt can fix (a
 *   selfie without a face is a retake, even when the liveness check could not conclude);
 * - then doubt, before any rejection: a rejection stands only when every other check concluded, so a
 *   failure read off a document another check doubted goes to a person instead.
 */
export const RULES: readonly Rule[] = [
  {
    rule: 'the account could not be checked (suspended user, disabled client) → a person decides',
    when: (results) => inconclusive(results).some((result) => result.kind === 'account'),
    decides: (results) => ({ outcome: 'review', reasons: reasonsOf(inconclusive(results)) }),
  },
  {
    rule: 'a sign of fraud, or a fault of the machine → a person decides, with every reason',
    when: (results) => signals(results).length > 0,
    decides: (results) => ({
      outcome: 'review',
      reasons: reasonsOf([
        ...signals(results),
        ...failed(results).filter((r) => !signals(results).includes(r)),
      ]),
    }),
  },
  {
    rule: 'a photo cannot be judged (usability) → new photos are asked for, whatever else was read off it',
    when: (results) => failed(results).some((result) => result.kind === 'usability'),
    decides: (results) => ({
      outcome: 'resubmission_required',
      reasons: reasonsOf(failed(results).filter((result) => result.kind === 'usability')),
    }),
  },
  {
    rule: 'every failure is one a new attempt can fix → new photos are asked for',
    when: onlyRetryableFailures,
    decides: (results) => ({ outcome: 'resubmission_required', reasons: reasonsOf(failed(results)) }),
  },
  {
    rule: 'a check could not conclude → a person decides',
    when: (results) => inconclusive(results).length > 0,
    decides: (results) => ({
      outcome: 'review',
      reasons: reasonsOf([...inconclusive(results), ...failed(results)]),
    }),
  },
  {
    rule: 'a check failed → rejected',
    when: (results) => failed(results).length > 0,
    decides: (results) => ({ outcome: 'rejected', reasons: reasonsOf(failed(results)) }),
  },
  {
    rule: 'evidence the mode requires was not checked → a person decides',
    when: (results, required) =>
      !required.every((kind) => results.some((result) => result.kind === kind && result.outcome === 'pass')),
    decides: () => ({ outcome: 'review', reasons: [] }),
  },
  {
    rule: 'every required kind passed → approved',
    when: () => true,
    decides: () => ({ outcome: 'approved', reasons: [] }),
  },
]

export const decisionFrom = (
  results: readonly CheckResult[],
  required: readonly CheckKind[],
): { decision: Decision; rule: string } => {
  const rule = RULES.find((each) => each.when(results, required)) as Rule
  return { decision: rule.decides(results), rule: rule.rule }
}
