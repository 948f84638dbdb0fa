import type { UserRow } from '../../db/schema.ts'

/** The onboarding step a user still has to complete, as Baanx names it; null once registered. */
export const ONBOARDING_PHASES = [
  'ACCOUNT',
  'PHONE_NUMBER',
  'PERSONAL_INFORMATION',
  'PHYSICAL_ADDRESS',
  'MAILING_ADDRESS',
] as const
export type Phase = (typeof ONBOARDING_PHASES)[number]

type Progress = Pick<
  UserRow,
  'registration_completed_at' | 'phone_verified_at' | 'first_name' | 'address_line1' | 'mailing_pending_since'
>

export const registrationPhase = (user: Progress): Phase | null => {
  if (user.registration_completed_at !== null) return null
  if (user.phone_verified_at === null) return 'PHONE_NUMBER'
  if (user.first_name === null) return 'PERSONAL_INFORMATION'
  if (user.address_line1 === null) return 'PHYSICAL_ADDRESS'
  if (user.mailing_pending_since !== null) return 'MAILING_ADDRESS'
  // Every step is done but completion was not recorded (cannot happen through the API): treat as address.
  return 'PHYSICAL_ADDRESS'
}
