import type { Queryable, RegionDatabase } from '../../db/database.ts'
import { lockedRows } from '../../db/row-locks.ts'
import type { CardTable } from '../../db/schema.ts'

/** The only SQL of the card table. */

export const insertCard = (db: Queryable, row: CardTable) => db.insertInto('card').values(row).execute()

export const findCardOfUser = (db: Queryable, clientId: string, userId: string) =>
  db
    .selectFrom('card')
    .selectAll()
    .where('user_id', '=', userId)
    .where('client_id', '=', clientId)
    .executeTakeFirst()

/** The user's card, locked until the transaction ends (whatever its client: verification changes act on it). */
export const lockCardOfUser = (database: RegionDatabase, db: Queryable, userId: string) =>
  db
    .selectFrom('card')
    .selectAll()
    .where('user_id', '=', userId)
    .$call(lockedRows(database))
    .executeTakeFirst()

export const updateCardStatus = (
  db: Queryable,
  cardId: string,
  change: Pick<CardTable, 'status' | 'frozen_by' | 'updated_at'> & Partial<Pick<CardTable, 'holder_frozen'>>,
) => db.updateTable('card').set(change).where('id', '=', cardId).execute()
