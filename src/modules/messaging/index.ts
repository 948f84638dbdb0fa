/**
 * The messaging module's face (email and SMS transport through the job queue, budgets, the dev
 * outbox): what other modules may use. Every other file in this folder is private to the module
 * (docs/architecture.md, Module boundaries).
 */
export type { BudgetConfig } from './budget.ts'
export {
  deliverMessageJob,
  deliveryFor,
  type MessageDelivery,
  type QueueMessageDeps,
  queueMessage,
} from './deliver-job.ts'
export type { Message } from './model.ts'
export { readOutbox } from './outbox.ts'
export { createMessageSender } from './senders.ts'
