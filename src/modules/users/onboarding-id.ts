import type { Queryable } from '../../db/database.ts'
import type { UserRow } from '../../db/schema.ts'
import { DAY_MS } from '../../lib/clock.ts'
import { AppError } from '../../lib/errors.ts'
import { findUserByOnboardingId } from './repo.ts'

/** An unfinished registration may be resumed for this long after the account was created. */
export const ONBOARDING_ID_TTL_MS = 30 * DAY_MS
/**
 * After registration the id still serves what clients do with it before their first login (polling
 * verificationState, the 7-day onboarding verification link), then it stops working: it is a bearer
 * credential that needs no password.
 */
export const ONBOARDING_ID_AFTER_REGISTRATION_MS = 7 * DAY_MS

export const onboardingIdExpiresAt = (
  user: Pick<UserRow, 'created_at' | 'registration_completed_at'>,
): number =>
  user.registration_completed_at === null
    ? user.created_at + ONBOARDING_ID_TTL_MS
    : user.registration_completed_at + ONBOARDING_ID_AFTER_REGISTRATION_MS

/**
 * The user behind an onboarding id of this client while the id is valid; otherwise nothing: another
 * client's id and an expired one are indistinguishable from none.
 */
export const findOnboardingUser = async (
  db: Queryable,
  clientId: string,
  onboardingId: string,
  now: number,
): Promise<UserRow | undefined> => {
  const user = await findUserByOnboardingId(db, clientId, onboardingId.trim())
  return user && onboardingIdExpiresAt(user) > now ? user : undefined
}

/** findOnboardingUser for the endpoints keyed by an onboarding id: none is INVALID_ONBOARDING_ID. */
export const requireOnboardingUser = async (
  db: Queryable,
  clientId: string,
  onboardingId: string,
  now: number,
): Promise<UserRow> => {
  const user = await findOnboardingUser(db, clientId, onboardingId, now)
  if (!user) throw new AppError('INVALID_ONBOARDING_ID')
  return user
}
