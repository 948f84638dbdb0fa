import type { Databases } from '../../db/database.ts'
import type { Clock } from '../../lib/clock.ts'
import type { Keys } from '../../lib/keys.ts'
import type { AuditActor } from '../audit/index.ts'
import * as users from '../users/index.ts'
import { checkedIdentity, verificationHistory } from '../verification/index.ts'

/**
 * What an operator (today the CLI, later the console) sees of and does to one user: the account from
 * the users module and its verification from the verification module, composed here so that neither
 * of the two has to know the other's side.
 */
export type OperatorDeps = { databases: Databases; clock: Clock; keys: Keys }

const report = async (deps: OperatorDeps, located: users.LocatedUser) => ({
  ...users.describeAccount(located),
  stateHistory: await verificationHistory(located.database, located.user.id),
  checkedIdentity: await checkedIdentity(deps.keys, located.database, located.user),
})

export const describeUser = async (deps: OperatorDeps, userId: string) =>
  report(deps, await users.locateUser(deps, userId))

export const setUserSuspended = async (
  deps: OperatorDeps,
  userId: string,
  suspended: boolean,
  actor: AuditActor,
) => report(deps, await users.setUserSuspended(deps, userId, suspended, actor))

export const setLoginOtp = async (deps: OperatorDeps, userId: string, enabled: boolean, actor: AuditActor) =>
  report(deps, await users.setLoginOtp(deps, userId, enabled, actor))
