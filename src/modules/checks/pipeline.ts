import { accountStanding } from './account-standing.ts'
import { analysisComplete } from './analysis-complete.ts'
import type { Check, CheckContext, CheckResult } from './check.ts'
import { documentData } from './document-data.ts'
import { documentPolicy } from './document-policy.ts'
import { duplicateIdentity } from './duplicate-identity.ts'
import { faceMatch } from './face-match.ts'
import { identityConsistency } from './identity-consistency.ts'
import { imageUsability } from './image-usability.ts'
import { licenceBarcode } from './licence-barcode.ts'
import { licenceSides } from './licence-sides.ts'
import { liveness } from './liveness.ts'
import { proofOfAddress } from './proof-of-address.ts'
import { sanctionsScreening } from './sanctions.ts'
import { sandboxScenario } from './sandbox-scenario.ts'
import { selfieFace } from './selfie-face.ts'
import { ssnCheck } from './ssn-check.ts'
import { validity } from './validity.ts'

/** Every check, in the order their results are shown. */
export const CHECKS: readonly Check[] = [
  accountStanding,
  sandboxScenario,
  analysisComplete,
  imageUsability,
  documentData,
  licenceBarcode,
  licenceSides,
  documentPolicy,
  validity,
  identityConsistency,
  selfieFace,
  faceMatch,
  liveness,
  duplicateIdentity,
  sanctionsScreening,
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
