import type { Queryable } from '../../db/database.ts'
import type { JobDefinition } from '../../jobs/definitions.ts'
import { enqueueJob } from '../../jobs/queue.ts'
import type { Clock } from '../../lib/clock.ts'
import { seal, unseal } from '../../lib/crypto.ts'
import type { Message } from './model.ts'
import type { MessageSender } from './senders.ts'

export const DELIVER_MESSAGE = 'messages.deliver'

// Messages carry verification codes, so the job row holds them encrypted, never in clear.
const CONTEXT = 'job:messages.deliver'

/** Queues a message in the caller's transaction: it is sent only if that transaction commits. */
export const queueMessage = (db: Queryable, clock: Clock, key: Buffer, message: Message) =>
  enqueueJob(
    db,
    clock,
    DELIVER_MESSAGE,
    { sealed: seal(key, JSON.stringify(message), CONTEXT) },
    { maxAttempts: 8 },
  )

export const deliverMessageJob = (key: Buffer, send: MessageSender): JobDefinition => ({
  type: DELIVER_MESSAGE,
  // Codes expire after 10 minutes: retry quickly, and give up within that window.
  backoff: { baseMs: 2_000, maxMs: 60_000 },
  async handle(payload, { database, signal, log }) {
    const message = JSON.parse(unseal(key, (payload as { sealed: string }).sealed, CONTEXT)) as Message
    await send(message, { database, signal })
    log.info({ channel: message.channel }, 'message delivered')
  },
})
