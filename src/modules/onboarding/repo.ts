import type { Insertable } from 'kysely'
import type { Queryable } from '../../db/database.ts'
import type { ContactVerificationTable } from '../../db/schema.ts'

export const insertContactVerification = async (
  db: Queryable,
  row: Insertable<ContactVerificationTable>,
): Promise<void> => {
  await db.insertInto('contact_verification').values(row).execute()
}

export const findContactVerification = (db: Queryable, clientId: string, id: string) =>
  db
    .selectFrom('contact_verification')
    .selectAll()
    .where('id', '=', id)
    .where('client_id', '=', clientId)
    .executeTakeFirst()

export const markEmailVerified = async (
  db: Queryable,
  id: string,
  userId: string,
  now: number,
): Promise<void> => {
  await db
    .updateTable('contact_verification')
    .set({ email_verified_at: now, user_id: userId })
    .where('id', '=', id)
    .execute()
}

/**
 * Records that the contact verification sends codes to `phone`, unless it already sent to `limit`
 * other numbers (then false). Locks the contact verification's row first (a no-op update: a row lock
 * on PostgreSQL, the write lock SQLite transactions already hold), so parallel requests with
 * different numbers cannot each see room for one more.
 */
export const reservePhoneNumber = async (
  db: Queryable,
  request: { contactVerificationId: string; phone: string; limit: number; now: number },
): Promise<boolean> => {
  await db
    .updateTable('contact_verification')
    .set((eb) => ({ expires_at: eb.ref('expires_at') }))
    .where('id', '=', request.contactVerificationId)
    .execute()
  const phones = await db
    .selectFrom('contact_verification_phone')
    .select('phone')
    .where('contact_verification_id', '=', request.contactVerificationId)
    .execute()
  if (phones.some((row) => row.phone === request.phone)) return true
  if (phones.length >= request.limit) return false
  await db
    .insertInto('contact_verification_phone')
    .values({
      contact_verification_id: request.contactVerificationId,
      phone: request.phone,
      created_at: request.now,
    })
    .execute()
  return true
}
