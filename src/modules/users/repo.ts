import type { Insertable } from 'kysely'
import type { Queryable } from '../../db/database.ts'
import type { AppUserTable, UserRow } from '../../db/schema.ts'

type UserChanges = Partial<Omit<UserRow, 'id' | 'client_id' | 'created_at'>>

export const insertUser = (db: Queryable, row: Insertable<AppUserTable>): Promise<UserRow> =>
  db.insertInto('app_user').values(row).returningAll().executeTakeFirstOrThrow()

export const findUserById = (db: Queryable, id: string) =>
  db.selectFrom('app_user').selectAll().where('id', '=', id).executeTakeFirst()

export const findUserByEmail = (db: Queryable, clientId: string, email: string) =>
  db
    .selectFrom('app_user')
    .selectAll()
    .where('client_id', '=', clientId)
    .where('email', '=', email)
    .executeTakeFirst()

export const findUserByOnboardingId = (db: Queryable, clientId: string, onboardingId: string) =>
  db
    .selectFrom('app_user')
    .selectAll()
    .where('client_id', '=', clientId)
    .where('onboarding_id', '=', onboardingId)
    .executeTakeFirst()

export const updateUser = async (db: Queryable, id: string, changes: UserChanges): Promise<UserRow> =>
  db.updateTable('app_user').set(changes).where('id', '=', id).returningAll().executeTakeFirstOrThrow()

/**
 * Counts a wrong password atomically (parallel guesses cannot slip under the limit) and locks the
 * account when the count reaches `maxFailures`. Returns the lock expiry when this failure locked it.
 */
export const recordFailedLogin = async (
  db: Queryable,
  id: string,
  now: number,
  policy: { maxFailures: number; lockoutMs: number },
): Promise<number | undefined> => {
  const counted = await db
    .updateTable('app_user')
    .set((eb) => ({ failed_login_count: eb('failed_login_count', '+', 1), updated_at: now }))
    .where('id', '=', id)
    .returning('failed_login_count')
    .executeTakeFirst()
  if (!counted || counted.failed_login_count < policy.maxFailures) return undefined
  const lockedUntil = now + policy.lockoutMs
  const locked = await db
    .updateTable('app_user')
    .set({ failed_login_count: 0, locked_until: lockedUntil })
    .where('id', '=', id)
    .where('failed_login_count', '>=', policy.maxFailures)
    .executeTakeFirst()
  return locked.numUpdatedRows === 1n ? lockedUntil : undefined
}
