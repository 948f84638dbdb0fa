import { type Decision, REASON_CATALOGUE, reason } from '../verification/index.ts'
import type { CheckKind, CheckResult } from './check.ts'

/** What a submission must have passed to be approved by the machine, per client mode. */
export const REQUIRED_KINDS: Readonly<Record<'sandbox' | 'live', readonly CheckKind[]>> = {
  sandbox: ['account', 'scenario'],
  live: ['account', 'document', 'face', 'identity', 'screening'],
}

const reasonsOf = (results: readonly CheckResult[]) =>
  results.flatMap((result) => (result.reason ? [reason(result.reason)] : []))

type Rule = {
  rule: string
  when(results: readonly CheckResult[], required: readonly CheckKind[]): boolean
  decides(results: readonly CheckResult[]): Decision
}

const inconclusive = (results: readonly CheckResult[]) => results.filter((r) => r.outcome === 'inconclusive')
const failed = (results: readonly CheckResult[]) => results.filter((r) => r.outcome === 'fail')

/**
 * The decision rules, in order: the first that matches decides. Doubt never approves: a check that
 * could not conclude, or evidence the mode requires that no check vouched for, sends the case to a
 * person; approval is the last rule, reached only when every required kind has passed.
 */
export const RULES: readonly Rule[] = [
  {
    rule: 'a check could not conclude → a person decides',
    when: (results) => inconclusive(results).length > 0,
    decides: (results) => ({ outcome: 'review', reasons: reasonsOf(inconclusive(results)) }),
  },
  {
    rule: 'every failure is one a new attempt can fix → new photos are asked for',
    when: (results) =>
      failed(results).length > 0 &&
      failed(results).every(
        (result) => result.reason !== undefined && REASON_CATALOGUE[result.reason].retryable,
      ),
    decides: (results) => ({ outcome: 'resubmission_required', reasons: reasonsOf(failed(results)) }),
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
