import type { Insertable } from 'kysely'
import type { Queryable } from '../../db/database.ts'
import type { CodePurpose, VerificationCodeTable } from '../../db/schema.ts'

/**
 * Touches the address's row so that, until the caller's transaction commits, every other issuer of
 * codes to this address waits here (the upsert's row lock on PostgreSQL; SQLite transactions are
 * serial anyway): parallel requests cannot both pass the counts read after it.
 */
export const lockCodeAddress = async (db: Queryable, target: string, now: number): Promise<void> => {
  await db
    .insertInto('code_address')
    .values({ target, last_code_at: now })
    .onConflict((conflict) => conflict.column('target').doUpdateSet({ last_code_at: now }))
    .execute()
}

/** Codes sent to the address since `since`, oldest first. */
export const codesSentTo = (db: Queryable, target: string, since: number) =>
  db
    .selectFrom('verification_code')
    .select(['client_id', 'purpose', 'delivery', 'created_at'])
    .where('target', '=', target)
    .where('created_at', '>', since)
    .orderBy('created_at')
    .execute()

/** Ends the subject's unconsumed codes for the purpose (a new code replaces them). */
export const retireCodes = async (
  db: Queryable,
  purpose: CodePurpose,
  subject: string,
  now: number,
): Promise<void> => {
  await db
    .updateTable('verification_code')
    .set({ consumed_at: now })
    .where('purpose', '=', purpose)
    .where('subject', '=', subject)
    .where('consumed_at', 'is', null)
    .execute()
}

export const insertCode = async (db: Queryable, code: Insertable<VerificationCodeTable>): Promise<void> => {
  await db.insertInto('verification_code').values(code).execute()
}

/** The subject's latest code from this client, consumed or not. */
export const latestCode = (db: Queryable, clientId: string, purpose: CodePurpose, subject: string) =>
  db
    .selectFrom('verification_code')
    .selectAll()
    .where('purpose', '=', purpose)
    .where('subject', '=', subject)
    .where('client_id', '=', clientId)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst()

/**
 * Counts one attempt atomically, so parallel guesses cannot exceed `maxAttempts`. Returns the new
 * count, or undefined when the attempts were already used up or the code was consumed meanwhile.
 */
export const countAttempt = async (
  db: Queryable,
  id: string,
  maxAttempts: number,
): Promise<number | undefined> => {
  const counted = await db
    .updateTable('verification_code')
    .set({ attempts: (eb) => eb('attempts', '+', 1) })
    .where('id', '=', id)
    .where('attempts', '<', maxAttempts)
    .where('consumed_at', 'is', null)
    .returning('attempts')
    .executeTakeFirst()
  return counted?.attempts
}

/** Consumes the code unless it already was: true for exactly one of two racing consumers. */
export const markConsumed = async (db: Queryable, id: string, now: number): Promise<boolean> => {
  const consumed = await db
    .updateTable('verification_code')
    .set({ consumed_at: now })
    .where('id', '=', id)
    .where('consumed_at', 'is', null)
    .executeTakeFirst()
  return consumed.numUpdatedRows === 1n
}
