import type { Databases, RegionDatabase } from '../../db/database.ts'
import type { UserRow } from '../../db/schema.ts'
import type { Clock } from '../../lib/clock.ts'
import { AppError } from '../../lib/errors.ts'
import type { Keys } from '../../lib/keys.ts'
import { checkedIdentity } from '../verification/service.ts'
import { stateHistory } from '../verification/state.ts'
import { registrationPhase } from './phase.ts'
import { findUserById, updateUser } from './repo.ts'
import { toUserView } from './view.ts'

export type UserAdminDeps = { databases: Databases; clock: Clock; keys: Keys }

/** Operator actions (CLI) on one user, found in whichever region holds it. */
const locate = async (
  { databases }: UserAdminDeps,
  userId: string,
): Promise<{ user: UserRow; database: RegionDatabase }> => {
  for (const database of databases.all) {
    const user = await findUserById(database.db, userId.trim())
    if (user) return { user, database }
  }
  throw new AppError('NOT_FOUND', { message: `No user ${userId}` })
}

export const describeUser = async (deps: UserAdminDeps, userId: string) => {
  const { user, database } = await locate(deps, userId)
  return {
    ...toUserView(user),
    region: database.region,
    clientId: user.client_id,
    onboardingId: user.onboarding_id,
    status: user.status,
    phase: registrationPhase(user),
    stateVersion: user.state_version,
    loginOtp: user.login_otp_enabled_at !== null,
    // Every verificationState change with its cause: what a compliance officer asks first.
    stateHistory: (await stateHistory(database.db, user.id)).map((step) => ({
      version: step.version,
      from: step.from_state,
      to: step.to_state,
      cause: step.cause,
      sessionId: step.session_id,
      reasons: JSON.parse(step.reasons) as unknown[],
      identityDigest: step.identity_digest,
      at: new Date(step.created_at).toISOString(),
    })),
    checkedIdentity: await checkedIdentity(deps.keys, database, user),
  }
}

/** A suspended user cannot log in (403) and their tokens stop working (403) until unsuspended. */
export const setUserSuspended = async (deps: UserAdminDeps, userId: string, suspended: boolean) => {
  const { user, database } = await locate(deps, userId)
  const now = deps.clock.now()
  await updateUser(database.db, user.id, {
    status: suspended ? 'suspended' : 'active',
    suspended_at: suspended ? now : null,
    updated_at: now,
  })
  return describeUser(deps, user.id)
}

/** Requires an SMS one-time code at every login (the phone must be verified). */
export const setLoginOtp = async (deps: UserAdminDeps, userId: string, enabled: boolean) => {
  const { user, database } = await locate(deps, userId)
  if (enabled && user.phone_verified_at === null) {
    throw new AppError('CONFLICT', { message: 'The user has no verified phone to receive login codes' })
  }
  const now = deps.clock.now()
  await updateUser(database.db, user.id, { login_otp_enabled_at: enabled ? now : null, updated_at: now })
  return describeUser(deps, user.id)
}
