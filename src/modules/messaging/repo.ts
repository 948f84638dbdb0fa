import type { Insertable } from 'kysely'
import type { Queryable } from '../../db/database.ts'
import type { OutboxMessageTable } from '../../db/schema.ts'
import type { Message } from './model.ts'

export const insertOutboxMessage = async (
  db: Queryable,
  row: Insertable<OutboxMessageTable>,
): Promise<void> => {
  await db.insertInto('outbox_message').values(row).execute()
}

/** The latest messages first. */
export const latestOutboxMessages = (db: Queryable, limit: number) =>
  db
    .selectFrom('outbox_message')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()

export type BudgetSlot = {
  clientId: string
  channel: Message['channel']
  /** Start of the clock hour being spent; older windows of this client and channel are deleted. */
  windowStart: number
  budget: number
}

/**
 * Spends one message of the window's budget, unless it is spent: false then. One conditional upsert:
 * the row lock (PostgreSQL) or the write lock (SQLite) makes the check and the increment one step, so
 * a concurrent burst cannot send more than the budget.
 */
export const spendBudgetSlot = async (db: Queryable, slot: BudgetSlot): Promise<boolean> => {
  await db
    .deleteFrom('message_budget')
    .where('client_id', '=', slot.clientId)
    .where('channel', '=', slot.channel)
    .where('window_start', '<', slot.windowStart)
    .execute()
  const spent = await db
    .insertInto('message_budget')
    .values({ client_id: slot.clientId, channel: slot.channel, window_start: slot.windowStart, sent: 1 })
    .onConflict((conflict) =>
      conflict
        .columns(['client_id', 'channel', 'window_start'])
        .doUpdateSet((eb) => ({ sent: eb('message_budget.sent', '+', 1) }))
        .where('message_budget.sent', '<', slot.budget),
    )
    .returning('sent')
    .executeTakeFirst()
  return spent !== undefined
}
