import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  CONSENT_POLICY_TYPES,
  CONSENT_STATUSES,
  CONSENT_TYPES,
  type ConsentStatus,
  type ConsentType,
} from '../../db/schema.ts'
import { evaluateConsents, MANDATORY_GRANTS, newConsentSetProblems, REQUIRED_CONSENTS } from './policy.ts'

const policy = fc.constantFrom(...CONSENT_POLICY_TYPES)
/** Current answers: at most one per type (the latest record of each), in any order. */
const answers = fc
  .subarray([...CONSENT_TYPES])
  .chain((types) =>
    fc
      .tuple(...types.map(() => fc.constantFrom(...CONSENT_STATUSES)))
      .map((statuses) =>
        types.map((consentType, index) => ({ consentType, consentStatus: statuses[index] as ConsentStatus })),
      ),
  )
  .chain((list) => fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length }))
const statusOf = (
  list: Array<{ consentType: ConsentType; consentStatus: ConsentStatus }>,
  type: ConsentType,
) => list.find((each) => each.consentType === type)?.consentStatus

describe('consent policy', () => {
  it('requires five types under US and the four other than eSignAct under global', () => {
    expect(REQUIRED_CONSENTS.US).toEqual(CONSENT_TYPES)
    expect(REQUIRED_CONSENTS.global).toEqual(CONSENT_TYPES.filter((type) => type !== 'eSignAct'))
  })

  it('is complete exactly when every required type is answered and every mandatory one granted', () => {
    fc.assert(
      fc.property(policy, answers, (policyType, current) => {
        const expected =
          REQUIRED_CONSENTS[policyType].every((type) =>
            ['granted', 'denied'].includes(statusOf(current, type) ?? ''),
          ) && MANDATORY_GRANTS[policyType].every((type) => statusOf(current, type) === 'granted')
        expect(evaluateConsents(policyType, current).complete).toBe(expected)
      }),
    )
  })

  it('does not depend on the order of the answers', () => {
    fc.assert(
      fc.property(policy, answers, (policyType, current) => {
        expect(evaluateConsents(policyType, [...current].reverse())).toEqual(
          evaluateConsents(policyType, current),
        )
      }),
    )
  })

  it('a set complete under US is complete under global (US asks for more)', () => {
    fc.assert(
      fc.property(answers, (current) => {
        if (evaluateConsents('US', current).complete)
          expect(evaluateConsents('global', current).complete).toBe(true)
      }),
    )
  })

  it('revoking any required consent of a complete set makes it incomplete', () => {
    // Complete sets built directly (a random set is rarely complete): every required type answered,
    // the mandatory ones granted, eSignAct also answered (or not) under global.
    const complete = policy.chain((policyType) =>
      fc
        .record({
          answers: fc.tuple(
            ...CONSENT_TYPES.map((consentType) =>
              MANDATORY_GRANTS[policyType].includes(consentType)
                ? fc.constant<ConsentStatus | null>('granted')
                : REQUIRED_CONSENTS[policyType].includes(consentType)
                  ? fc.constantFrom<ConsentStatus | null>('granted', 'denied')
                  : fc.constantFrom<ConsentStatus | null>('granted', 'denied', 'revoked', null),
            ),
          ),
          pick: fc.nat(),
        })
        .map(({ answers: statuses, pick }) => ({
          policyType,
          pick,
          current: CONSENT_TYPES.flatMap((consentType, index) => {
            const consentStatus = statuses[index]
            return consentStatus ? [{ consentType, consentStatus }] : []
          }),
        })),
    )
    fc.assert(
      fc.property(complete, ({ policyType, pick, current }) => {
        expect(evaluateConsents(policyType, current).complete).toBe(true)
        const required = REQUIRED_CONSENTS[policyType]
        const revokedType = required[pick % required.length] as ConsentType
        const after = current.map((each) =>
          each.consentType === revokedType ? { ...each, consentStatus: 'revoked' as const } : each,
        )
        const evaluation = evaluateConsents(policyType, after)
        expect(evaluation.complete).toBe(false)
        expect(evaluation.unanswered).toContain(revokedType)
      }),
    )
  })

  it('accepts a new set exactly when it answers every required type once, with known types only', () => {
    const given = fc.array(
      fc.oneof(fc.constantFrom<string>(...CONSENT_TYPES), fc.string({ maxLength: 20 })),
      { maxLength: 8 },
    )
    fc.assert(
      fc.property(policy, given, (policyType, types) => {
        const problems = newConsentSetProblems(
          policyType,
          types.map((consentType) => ({ consentType })),
        )
        const known = types.every((type) => (CONSENT_TYPES as readonly string[]).includes(type))
        const unique = new Set(types).size === types.length
        const covers = REQUIRED_CONSENTS[policyType].every((type) => types.includes(type))
        expect(problems.length === 0).toBe(known && unique && covers)
      }),
    )
  })

  it('words the problems as the contract does', () => {
    expect(newConsentSetProblems('global', [{ consentType: 'pushNotifications' }])).toEqual([
      "Invalid consentType: 'pushNotifications'. Must be one of: eSignAct, termsAndPrivacy, marketingNotifications, smsNotifications, emailNotifications",
      'Missing required consent: termsAndPrivacy for policy type: global',
      'Missing required consent: marketingNotifications for policy type: global',
      'Missing required consent: smsNotifications for policy type: global',
      'Missing required consent: emailNotifications for policy type: global',
    ])
  })
})
