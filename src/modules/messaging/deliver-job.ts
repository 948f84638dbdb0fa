import { type Static, Type } from 'typebox'
import type { Queryable } from '../../db/database.ts'
import { type JobDefinition, jobType } from '../../jobs/definitions.ts'
import { enqueueJob } from '../../jobs/queue.ts'
import { seal, unseal } from '../../lib/crypto.ts'
import type { Keys } from '../../lib/keys.ts'
import type { Client } from '../clients/index.ts'
import { type BudgetDeps, spendMessageBudget } from './budget.ts'
import type { Message } from './model.ts'
import { writeToOutbox } from './outbox.ts'
import type { MessageSender } from './senders.ts'

// Messages carry verification codes, so the job row holds them encrypted, never in clear.
const CONTEXT = 'job:messages.deliver'

export type QueueMessageDeps = BudgetDeps & { keys: Pick<Keys, 'jobPayloads'> }

export type MessageDelivery = 'provider' | 'outbox'

/**
 * A sandbox client's messages never leave the server, whatever SMTP_URL and SMS_WEBHOOK_URL say:
 * otherwise a test key, often shared among developers, would be a way to mail or text anyone.
 */
export const deliveryFor = (client: Pick<Client, 'mode'>): MessageDelivery =>
  client.mode === 'sandbox' ? 'outbox' : 'provider'

const DeliverPayload = Type.Object({
  sealed: Type.String(),
  // Jobs queued before `delivery` existed have none: they go to the provider, as they did then.
  delivery: Type.Optional(Type.Union([Type.Literal('provider'), Type.Literal('outbox')])),
})
type DeliverPayload = Static<typeof DeliverPayload> & { delivery?: MessageDelivery }

export const deliverMessage = jobType('messages.deliver', DeliverPayload)

/**
 * Spends the client's hourly budget for the channel and queues the message, both in the caller's
 * transaction: it is sent only if that transaction commits.
 */
export const queueMessage = async (
  db: Queryable,
  deps: QueueMessageDeps,
  client: Pick<Client, 'id' | 'mode'>,
  message: Message,
): Promise<void> => {
  await spendMessageBudget(db, deps, client.id, message.channel)
  const payload = {
    sealed: seal(deps.keys.jobPayloads, JSON.stringify(message), CONTEXT),
    delivery: deliveryFor(client),
  }
  await enqueueJob(db, deps.clock, deliverMessage, payload, { maxAttempts: 8 })
}

export const deliverMessageJob = (key: Buffer, send: MessageSender): JobDefinition<DeliverPayload> => ({
  ...deliverMessage,
  // Codes expire after 10 minutes: retry quickly, and give up within that window.
  backoff: { baseMs: 2_000, maxMs: 60_000 },
  async handle(payload, { database, clock, signal, log }) {
    const { sealed, delivery = 'provider' } = payload
    const message = JSON.parse(unseal(key, sealed, CONTEXT)) as Message
    if (delivery === 'outbox') await writeToOutbox(database.db, clock, message)
    else await send(message, { database, signal })
    log.info({ channel: message.channel, delivery }, 'message delivered')
  },
})
