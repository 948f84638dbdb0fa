import {
  CONSENT_TYPES,
  type ConsentPolicyType,
  type ConsentStatus,
  type ConsentType,
} from '../../db/schema.ts'

/** What each policy requires an answer to (Baanx: US all five, global all but eSignAct). */
export const REQUIRED_CONSENTS: Record<ConsentPolicyType, readonly ConsentType[]> = {
  US: CONSENT_TYPES,
  global: CONSENT_TYPES.filter((type) => type !== 'eSignAct'),
}

/**
 * Of the required answers, those that must be `granted` for the set to be complete: without the terms
 * (and, in the US, the E-Sign Act consent) there is no agreement at all, while a denied marketing or
 * notification opt-in is a complete answer.
 */
export const MANDATORY_GRANTS: Record<ConsentPolicyType, readonly ConsentType[]> = {
  US: ['eSignAct', 'termsAndPrivacy'],
  global: ['termsAndPrivacy'],
}

const isConsentType = (value: string): value is ConsentType =>
  (CONSENT_TYPES as readonly string[]).includes(value)

/**
 * The problems of a new consent set, in the contract's wording; empty when it may be recorded. Every
 * type must be known and given once, and every type the policy requires must be answered.
 */
export const newConsentSetProblems = (
  policyType: ConsentPolicyType,
  consents: ReadonlyArray<{ consentType: string }>,
): string[] => {
  const problems: string[] = []
  const seen = new Set<string>()
  for (const { consentType } of consents) {
    if (!isConsentType(consentType)) {
      problems.push(`Invalid consentType: '${consentType}'. Must be one of: ${CONSENT_TYPES.join(', ')}`)
    } else if (seen.has(consentType)) {
      problems.push(`Duplicate consentType: '${consentType}'. Give each consent type once`)
    }
    seen.add(consentType)
  }
  for (const required of REQUIRED_CONSENTS[policyType])
    if (!seen.has(required))
      problems.push(`Missing required consent: ${required} for policy type: ${policyType}`)
  return problems
}

export type ConsentEvaluation = {
  complete: boolean
  /** Required types with no current answer (never given, or revoked). */
  unanswered: ConsentType[]
  /** Mandatory types whose current answer is not `granted`. */
  notGranted: ConsentType[]
}

/**
 * Whether the current answers of a set (the latest record of each type) complete `policyType`. A
 * revoked answer counts as none, so revoking any required consent makes the set incomplete.
 */
export const evaluateConsents = (
  policyType: ConsentPolicyType,
  current: ReadonlyArray<{ consentType: ConsentType; consentStatus: ConsentStatus }>,
): ConsentEvaluation => {
  const status = new Map(current.map((each) => [each.consentType, each.consentStatus]))
  const unanswered = REQUIRED_CONSENTS[policyType].filter((type) => {
    const answer = status.get(type)
    return answer !== 'granted' && answer !== 'denied'
  })
  const notGranted = MANDATORY_GRANTS[policyType].filter((type) => status.get(type) !== 'granted')
  return { complete: unanswered.length === 0 && notGranted.length === 0, unanswered, notGranted }
}

/** The policy a user of a region must have completed to be issued a card (US residents: US). */
export const policyForRegion = (region: 'intl' | 'us'): ConsentPolicyType =>
  region === 'us' ? 'US' : 'global'
