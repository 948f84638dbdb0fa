import { sandboxDecision } from '../sandbox/index.ts'
import type { Check } from './check.ts'

/** Sandbox clients only: the magic names decide (docs/api.md, Sandbox); any other name goes to a person. */
export const sandboxScenario: Check = {
  id: 'sandbox-scenario',
  version: '1',
  kind: 'scenario',
  appliesTo: ({ sandbox }) => sandbox,
  run: ({ user }) => {
    const decision = sandboxDecision(user)
    const evidence = { firstName: user.first_name, lastName: user.last_name }
    if (decision.outcome === 'approved') return { outcome: 'pass', evidence }
    const reason = decision.reasons[0]?.code
    if (decision.outcome === 'rejected' && reason) return { outcome: 'fail', reason, evidence }
    return { outcome: 'inconclusive', evidence }
  },
}
