import { accountStanding } from './account-standing.ts'
import type { Check, CheckContext, CheckResult } from './check.ts'
import { documentPolicy } from './document-policy.ts'
import { duplicateIdentity } from './duplicate-identity.ts'
import { proofOfAddress } from './proof-of-address.ts'
import { sandboxScenario } from './sandbox-scenario.ts'
import { ssnCheck } from './ssn-check.ts'
import { validity } from './validity.ts'

/** Every check, in the order their results are shown. The automated document and face checks join here. */
export const CHECKS: readonly Check[] = [
  accountStanding,
  sandboxScenario,
  documentPolicy,
  validity,
  duplicateIdentity,
  ssnCheck,
  proofOfAddress,
]

/** Runs the checks that apply, side by side. A check that throws fails the job, which is retried. */
export const runChecks = async (context: CheckContext, checks = CHECKS): Promise<CheckResult[]> =>
  Promise.all(
    checks
      .filter((check) => check.appliesTo(context))
      .map(async (check) => ({
        ...(await check.run(context)),
        id: check.id,
        version: check.version,
        kind: check.kind,
      })),
  )
