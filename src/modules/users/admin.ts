import type { Databases, RegionDatabase } from '../../db/database.ts'
import type { UserRow } from '../../db/schema.ts'
import type { Clock } from '../../lib/clock.ts'
import { AppError } from '../../lib/errors.ts'
import type { Keys } from '../../lib/keys.ts'
import { type AuditActor, appendAudit } from '../audit/index.ts'
import { registrationPhase } from './phase.ts'
import { findUserById, lockUser, updateUser } from './repo.ts'
import { toUserView } from './view.ts'

export type UserAdminDeps = { databases: Databases; clock: Clock; keys: Pick<Keys, 'auditChain'> }
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

/**
 * A suspended user cannot log in (403) and their tokens stop working (403) until unsuspended. Audited
 * in the user's region database, in the transaction of the change. A user who already has the status
 * asked for is left as they are, with no entry: a repeated request (a reload, a retry) changes nothing,
 * and `suspended_at` keeps saying when the suspension began. `changed` tells which happened.
 */
export const setUserSuspended = async (
  deps: UserAdminDeps,
  userId: string,
  suspended: boolean,
  actor: AuditActor,
): Promise<LocatedUser & { changed: boolean }> => {
  const { user, database } = await locateUser(deps, userId)
  const status = suspended ? 'suspended' : 'active'
  const now = deps.clock.now()
  return database.db.transaction().execute(async (trx) => {
    // Read under the user's lock (users are never deleted): of two concurrent requests, the second
    // sees the status the first wrote.
    const current = (await lockUser(database, trx, user.id)) as UserRow
    if (current.status === status) return { user: current, database, changed: false }
    const updated = await updateUser(trx, user.id, {
      status,
      suspended_at: suspended ? now : null,
      updated_at: now,
    })
    await appendAudit(deps, database, trx, {
      actor,
      action: suspended ? 'user.suspend' : 'user.unsuspend',
      subject: { type: 'user', id: user.id },
      details: { clientId: user.client_id },
    })
    return { user: updated, database, changed: true }
  })
}

/** Requires an SMS one-time code at every login (the phone must be verified). */
export const setLoginOtp = async (
  deps: UserAdminDeps,
  userId: string,
  enabled: boolean,
  actor: AuditActor,
) => {
  const { user, database } = await locateUser(deps, userId)
  if (enabled && user.phone_verified_at === null) {
    throw new AppError('CONFLICT', { message: 'The user has no verified phone to receive login codes' })
  }
  const now = deps.clock.now()
  const updated = await database.db.transaction().execute(async (trx) => {
    const changed = await updateUser(trx, user.id, {
      login_otp_enabled_at: enabled ? now : null,
      updated_at: now,
    })
    await appendAudit(deps, database, trx, {
      actor,
      action: 'user.login_otp',
      subject: { type: 'user', id: user.id },
      details: { clientId: user.client_id, enabled },
    })
    return changed
  })
  return { user: updated, database } satisfies LocatedUser
}
