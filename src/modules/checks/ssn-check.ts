import type { Check } from './check.ts'
import { ssnStructure } from './ssn-structure.ts'

/**
 * A us user's SSN (given at onboarding, or in the flow's SSN step when onboarding had none) is one the
 * SSA could have issued, and is still the one the submission froze. A changed SSN cannot come from the
 * user (identity data is frozen once submitted): it means the data was altered behind the flow, so a
 * person looks rather than the machine rejecting the user for it. The evidence keeps the last four
 * digits only.
 */
export const ssnCheck: Check = {
  id: 'ssn',
  version: '1',
  kind: 'ssn',
  appliesTo: ({ sandbox, database }) => !sandbox && database.region === 'us',
  run: ({ identity }) => {
    if (identity?.ssn == null) return { outcome: 'inconclusive', evidence: { ssnGiven: false } }
    const structure = ssnStructure(identity.ssn)
    const evidence = {
      ssnGiven: true,
      last4: identity.ssn.slice(-4),
      structure,
      asSubmitted: identity.ssnAsSubmitted,
    }
    if (!identity.ssnAsSubmitted) return { outcome: 'inconclusive', reason: 'SSN_MISMATCH', evidence }
    if (structure === 'invalid') return { outcome: 'fail', reason: 'SSN_INVALID', evidence }
    if (structure === 'placeholder') return { outcome: 'inconclusive', evidence }
    return { outcome: 'pass', evidence }
  },
}
