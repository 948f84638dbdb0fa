import type { Queryable } from '../../db/database.ts'

// session_claim: the browsers that claimed a session, by the digest of their secret (the secret itself
// is never stored).

export const hasClaim = async (db: Queryable, sessionId: string, digest: string): Promise<boolean> =>
  (await db
    .selectFrom('session_claim')
    .select('session_id')
    .where('session_id', '=', sessionId)
    .where('digest', '=', digest)
    .executeTakeFirst()) !== undefined

export const countClaims = async (db: Queryable, sessionId: string): Promise<number> => {
  const row = await db
    .selectFrom('session_claim')
    .select((eb) => eb.fn.countAll<number>().as('claims'))
    .where('session_id', '=', sessionId)
    .executeTakeFirstOrThrow()
  return Number(row.claims)
}

export const insertClaim = (db: Queryable, sessionId: string, digest: string, now: number) =>
  db.insertInto('session_claim').values({ session_id: sessionId, digest, created_at: now }).execute()
