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
