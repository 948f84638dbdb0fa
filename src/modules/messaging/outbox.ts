import type { Queryable } from '../../db/database.ts'
import type { Clock } from '../../lib/clock.ts'
import { newId } from '../../lib/ids.ts'
import type { Message } from './model.ts'
import { insertOutboxMessage, latestOutboxMessages } from './repo.ts'

/**
 * Development and sandbox delivery: messages are written to the region's `outbox_message` table and
 * `verity outbox` prints them. In production (where SMTP_URL and SMS_WEBHOOK_URL are required) only
 * sandbox clients' messages land here.
 */
export const writeToOutbox = async (db: Queryable, clock: Clock, message: Message): Promise<void> => {
  await insertOutboxMessage(db, {
    id: newId('message'),
    channel: message.channel,
    recipient: message.to,
    subject: message.channel === 'email' ? message.subject : null,
    body: message.text,
    created_at: clock.now(),
  })
}

/** The outbox, latest message first (`verity outbox`). */
export const readOutbox = (db: Queryable, limit: number) => latestOutboxMessages(db, limit)
