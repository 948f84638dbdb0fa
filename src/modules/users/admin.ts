import type { Databases, RegionDatabase } from '../../db/database.ts'
import type { UserRow } from '../../db/schema.ts'
import type { Clock } from '../../lib/clock.ts'
import { AppError } from '../../lib/errors.ts'
import { registrationPhase } from './phase.ts'
import { findUserById, updateUser } from './repo.ts'
import { toUserView } from './view.ts'

export type UserAdminDeps = { databases: Databases; clock: Clock }
export type LocatedUser = { user: UserRow; database: RegionDatabase }

/** Operator actions (CLI) on one user, found in whichever region holds it. */
export const locateUser = async ({ databases }: Pick<UserAdminDeps, 'databases'>, userId: string) => {
  for (const database of databases.all) {
    const user = await findUserById(database.db, userId.trim())
    if (user) return { user, database } satisfies LocatedUser
  }
  throw new AppError('NOT_FOUND', { message: `No user ${userId}` })
}

/** The account as an operator sees it (the verification history is added by the operator module). */
export const describeAccount = ({ user, database }: LocatedUser) => ({
  ...toUserView(user),
  region: database.region,
  clientId: user.client_id,
  onboardingId: user.onboarding_id,
  status: user.status,
  phase: registrationPhase(user),
  stateVersion: user.state_version,
  loginOtp: user.login_otp_enabled_at !== null,
})

/** A suspended user cannot log in (403) and their tokens stop working (403) until unsuspended. */
export const setUserSuspended = async (deps: UserAdminDeps, userId: string, suspended: boolean) => {
  const { user, database } = await locateUser(deps, userId)
  const now = deps.clock.now()
  const updated = await updateUser(database.db, user.id, {
    status: suspended ? 'suspended' : 'active',
    suspended_at: suspended ? now : null,
    updated_at: now,
  })
  return { user: updated, database } satisfies LocatedUser
}

/** Requires an SMS one-time code at every login (the phone must be verified). */
export const setLoginOtp = async (deps: UserAdminDeps, userId: string, enabled: boolean) => {
  const { user, database } = await locateUser(deps, userId)
  if (enabled && user.phone_verified_at === null) {
    throw new AppError('CONFLICT', { message: 'The user has no verified phone to receive login codes' })
  }
  const now = deps.clock.now()
  const updated = await updateUser(database.db, user.id, {
    login_otp_enabled_at: enabled ? now : null,
    updated_at: now,
  })
  return { user: updated, database } satisfies LocatedUser
}
