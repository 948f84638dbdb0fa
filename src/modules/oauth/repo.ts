import type { Insertable } from 'kysely'
import type { Queryable } from '../../db/database.ts'
import type { OAuthCodeTable, OAuthRefreshTokenTable } from '../../db/schema.ts'

export const insertCode = async (db: Queryable, row: Insertable<OAuthCodeTable>): Promise<void> => {
  await db.insertInto('oauth_code').values(row).execute()
}

export const findCode = (db: Queryable, id: string) =>
  db.selectFrom('oauth_code').selectAll().where('id', '=', id).executeTakeFirst()

/** Marks the code used, only if nobody did first: true for the one caller that may exchange it. */
export const useCode = async (db: Queryable, id: string, familyId: string, now: number): Promise<boolean> => {
  const result = await db
    .updateTable('oauth_code')
    .set({ used_at: now, family_id: familyId })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .executeTakeFirst()
  return result.numUpdatedRows === 1n
}

/** The client's codes for the user that nobody exchanged yet stop being exchangeable. */
export const useUpCodes = async (db: Queryable, userId: string, clientId: string, now: number) => {
  await db
    .updateTable('oauth_code')
    .set({ used_at: now })
    .where('user_id', '=', userId)
    .where('client_id', '=', clientId)
    .where('used_at', 'is', null)
    .execute()
}

export const insertRefreshToken = async (
  db: Queryable,
  row: Insertable<OAuthRefreshTokenTable>,
): Promise<void> => {
  await db.insertInto('oauth_refresh_token').values(row).execute()
}

export const findRefreshToken = (db: Queryable, id: string) =>
  db.selectFrom('oauth_refresh_token').selectAll().where('id', '=', id).executeTakeFirst()

/** Marks a live refresh token used, only if nobody did first: true for the one rotation allowed. */
export const useRefreshToken = async (db: Queryable, id: string, now: number): Promise<boolean> => {
  const result = await db
    .updateTable('oauth_refresh_token')
    .set({ used_at: now })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst()
  return result.numUpdatedRows === 1n
}

export const revokeFamilyRefreshTokens = async (db: Queryable, familyId: string, now: number) => {
  await db
    .updateTable('oauth_refresh_token')
    .set({ revoked_at: now })
    .where('family_id', '=', familyId)
    .where('revoked_at', 'is', null)
    .execute()
}

/** Every family this client holds for the user (refresh tokens name them). */
export const familiesOf = async (db: Queryable, userId: string, clientId: string): Promise<string[]> =>
  (
    await db
      .selectFrom('oauth_refresh_token')
      .select('family_id')
      .distinct()
      .where('user_id', '=', userId)
      .where('client_id', '=', clientId)
      .execute()
  ).map((row) => row.family_id)

/** Families started from this client's codes for the user, also those without a refresh token. */
export const codeFamiliesOf = async (db: Queryable, userId: string, clientId: string): Promise<string[]> =>
  (
    await db
      .selectFrom('oauth_code')
      .select('family_id')
      .where('user_id', '=', userId)
      .where('client_id', '=', clientId)
      .where('family_id', 'is not', null)
      .execute()
  ).flatMap((row) => (row.family_id === null ? [] : [row.family_id]))

export const upsertGrant = async (
  db: Queryable,
  grant: { userId: string; clientId: string; scope: string; now: number },
): Promise<void> => {
  await db
    .insertInto('oauth_grant')
    .values({ user_id: grant.userId, client_id: grant.clientId, scope: grant.scope, granted_at: grant.now })
    .onConflict((conflict) =>
      conflict.columns(['user_id', 'client_id']).doUpdateSet({ scope: grant.scope, granted_at: grant.now }),
    )
    .execute()
}

export const hasGrant = async (db: Queryable, userId: string, clientId: string): Promise<boolean> =>
  (await db
    .selectFrom('oauth_grant')
    .select('user_id')
    .where('user_id', '=', userId)
    .where('client_id', '=', clientId)
    .executeTakeFirst()) !== undefined

export const deleteGrant = async (db: Queryable, userId: string, clientId: string): Promise<void> => {
  await db.deleteFrom('oauth_grant').where('user_id', '=', userId).where('client_id', '=', clientId).execute()
}

export const pruneExpired = async (
  db: Queryable,
  before: { codesBefore: number; refreshTokensBefore: number },
): Promise<{ codes: number; refreshTokens: number }> => {
  const codes = await db
    .deleteFrom('oauth_code')
    .where('expires_at', '<', before.codesBefore)
    .executeTakeFirst()
  const refreshTokens = await db
    .deleteFrom('oauth_refresh_token')
    .where('expires_at', '<', before.refreshTokensBefore)
    .executeTakeFirst()
  return { codes: Number(codes.numDeletedRows), refreshTokens: Number(refreshTokens.numDeletedRows) }
}
