import type { UserRow } from '../../db/schema.ts'
import { SANDBOX_CODE } from '../codes/service.ts'
import { type Decision, reason } from '../verification/index.ts'

/**
 * The sandbox's magic values. A sandbox user named `Test Approved`, `Test Rejected` or `Test Pending`
 * is decided that way when they submit; any other sandbox user goes to manual review. Live clients
 * never look at names or magic codes.
 */
export const SANDBOX_USERS = [
  {
    firstName: 'Test',
    lastName: 'Approved',
    outcome: 'approved',
    verificationState: 'VERIFIED',
    description: 'Approved as soon as any usable images are submitted.',
  },
  {
    firstName: 'Test',
    lastName: 'Rejected',
    outcome: 'rejected',
    verificationState: 'REJECTED',
    description: 'Rejected (face mismatch, failure code 103); a new session is refused for 24 h.',
  },
  {
    firstName: 'Test',
    lastName: 'Pending',
    outcome: 'review',
    verificationState: 'PENDING',
    description: 'Stays PENDING in manual review until a reviewer decides.',
  },
] as const

export const SANDBOX_REJECTION = reason('FACE_MISMATCH')

export const sandboxDecision = (user: Pick<UserRow, 'first_name' | 'last_name'>): Decision => {
  const match = SANDBOX_USERS.find(
    (scenario) =>
      scenario.firstName.toLowerCase() === user.first_name?.trim().toLowerCase() &&
      scenario.lastName.toLowerCase() === user.last_name?.trim().toLowerCase(),
  )
  if (match?.outcome === 'approved') return { outcome: 'approved', reasons: [] }
  if (match?.outcome === 'rejected') return { outcome: 'rejected', reasons: [SANDBOX_REJECTION] }
  return { outcome: 'review', reasons: [] }
}

export const scenarioCatalogue = () => ({
  users: SANDBOX_USERS.map((scenario) => ({ ...scenario })),
  otherUsers: 'Any other sandbox user goes to manual review and stays PENDING until a reviewer decides.',
  codes: [
    { purpose: 'email', code: SANDBOX_CODE, description: 'Accepted as the emailed verification code' },
    { purpose: 'phone', code: SANDBOX_CODE, description: 'Accepted as the texted verification code' },
    { purpose: 'login_otp', code: SANDBOX_CODE, description: 'Accepted as the login one-time code' },
  ],
})
