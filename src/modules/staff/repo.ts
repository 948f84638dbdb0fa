import type { Insertable } from 'kysely'
import type { Queryable } from '../../db/database.ts'
import type { StaffMemberRow, StaffMemberTable, StaffSessionTable } from '../../db/schema.ts'

/** Inserts a member; answers false (nothing written) when the email is taken. */
export const insertStaffMember = async (
  db: Queryable,
  row: Insertable<StaffMemberTable>,
): Promise<boolean> => {
  const inserted = await db
    .insertInto('staff_member')
    .values(row)
    .onConflict((conflict) => conflict.column('email').doNothing())
    .returning('id')
    .executeTakeFirst()
  return inserted !== undefined
}

export const findStaffById = (db: Queryable, id: string): Promise<StaffMemberRow | undefined> =>
  db.selectFrom('staff_member').selectAll().where('id', '=', id).executeTakeFirst()

export const findStaffByEmail = (db: Queryable, email: string): Promise<StaffMemberRow | undefined> =>
  db.selectFrom('staff_member').selectAll().where('email', '=', email).executeTakeFirst()

export const listStaffMembers = (db: Queryable): Promise<StaffMemberRow[]> =>
  db.selectFrom('staff_member').selectAll().orderBy('email').execute()

/**
 * Records that a code of time step `step` was accepted, only if no code of that step or a later one was,
 * and only while the member is as the sign-in found them (not disabled, credentials not reset since: the
 * sealed secret has a fresh IV at every reset): one conditional statement, so of two sign-ins with the
 * same code exactly one moves the step (the row lock on PostgreSQL, the write lock on SQLite) and the
 * other finds the condition false.
 */
export const acceptTotpStep = async (
  db: Queryable,
  member: Pick<StaffMemberRow, 'id' | 'totp_secret_sealed'>,
  step: number,
): Promise<boolean> => {
  const result = await db
    .updateTable('staff_member')
    .set({ totp_last_step: step })
    .where('id', '=', member.id)
    .where('disabled_at', 'is', null)
    .where('totp_secret_sealed', '=', member.totp_secret_sealed)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export const disableStaffMember = async (db: Queryable, id: string, now: number): Promise<void> => {
  await db
    .updateTable('staff_member')
    .set({ disabled_at: now })
    .where('id', '=', id)
    .where('disabled_at', 'is', null)
    .execute()
}

export const enableStaffMember = async (db: Queryable, id: string): Promise<void> => {
  await db
    .updateTable('staff_member')
    .set({ disabled_at: null })
    .where('id', '=', id)
    .where('disabled_at', 'is not', null)
    .execute()
}

/** New credentials: a new password hash and TOTP secret, whose steps start afresh. */
export const replaceStaffCredentials = async (
  db: Queryable,
  id: string,
  credentials: Pick<StaffMemberRow, 'password_hash' | 'totp_secret_sealed' | 'password_changed_at'>,
): Promise<void> => {
  await db
    .updateTable('staff_member')
    .set({ ...credentials, totp_last_step: null })
    .where('id', '=', id)
    .execute()
}

export const insertStaffSession = async (
  db: Queryable,
  row: Insertable<StaffSessionTable>,
): Promise<void> => {
  await db.insertInto('staff_session').values(row).execute()
}

/** The session of a token hash with its member, whatever their state (the service judges it). */
export const findStaffSession = (db: Queryable, tokenHash: string) =>
  db
    .selectFrom('staff_session')
    .innerJoin('staff_member', 'staff_member.id', 'staff_session.staff_id')
    .selectAll('staff_member')
    .select([
      'staff_session.id as session_id',
      'staff_session.created_at as session_created_at',
      'staff_session.last_seen_at as session_last_seen_at',
      'staff_session.expires_at as session_expires_at',
      'staff_session.revoked_at as session_revoked_at',
    ])
    .where('staff_session.token_hash', '=', tokenHash)
    .executeTakeFirst()

/**
 * Slides a live session's idle timeout to `now`. Conditional on it still being unrevoked, unexpired and
 * not idle past `idleSince`, so a sign-out or revocation that committed first wins.
 */
export const touchStaffSession = async (
  db: Queryable,
  sessionId: string,
  now: number,
  idleSince: number,
): Promise<boolean> => {
  const result = await db
    .updateTable('staff_session')
    .set({ last_seen_at: now })
    .where('id', '=', sessionId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .where('last_seen_at', '>', idleSince)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** Revokes the live session of a token hash; answers which it was, or undefined when none was live. */
export const revokeStaffSessionByHash = async (
  db: Queryable,
  tokenHash: string,
  now: number,
): Promise<{ sessionId: string; staffId: string } | undefined> =>
  db
    .updateTable('staff_session')
    .set({ revoked_at: now })
    .where('token_hash', '=', tokenHash)
    .where('revoked_at', 'is', null)
    .returning(['id as sessionId', 'staff_id as staffId'])
    .executeTakeFirst()

/** Signs a member out everywhere; answers how many sessions were not revoked yet. */
export const revokeStaffSessionsOf = async (db: Queryable, staffId: string, now: number): Promise<number> => {
  const result = await db
    .updateTable('staff_session')
    .set({ revoked_at: now })
    .where('staff_id', '=', staffId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}
