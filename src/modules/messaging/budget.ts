import type { Registry } from 'prom-client'
import type { Config } from '../../config/config.ts'
import type { Queryable } from '../../db/database.ts'
import { messageBudgetRefusals } from '../../http/metrics.ts'
import { type Clock, HOUR_MS } from '../../lib/clock.ts'
import { AppError } from '../../lib/errors.ts'
import type { Message } from './model.ts'
import { spendBudgetSlot } from './repo.ts'

/**
 * Each client may send a bounded number of emails and of SMS per clock hour (in each region: a
 * region is its own database, and the budget is spent in the transaction that queues the message, so
 * a refused or rolled-back request spends nothing). This caps what a leaked client key or a scripted
 * sign-up form can cost in SMS fees (SMS pumping) or in mail reputation.
 */
export type BudgetConfig = Pick<Config, 'SMS_HOURLY_BUDGET_PER_CLIENT' | 'EMAIL_HOURLY_BUDGET_PER_CLIENT'>

export type BudgetDeps = { clock: Clock; config: BudgetConfig; metrics: Registry }

export const spendMessageBudget = async (
  db: Queryable,
  deps: BudgetDeps,
  clientId: string,
  channel: Message['channel'],
): Promise<void> => {
  const now = deps.clock.now()
  const windowStart = now - (now % HOUR_MS)
  const budget =
    channel === 'sms' ? deps.config.SMS_HOURLY_BUDGET_PER_CLIENT : deps.config.EMAIL_HOURLY_BUDGET_PER_CLIENT
  if (await spendBudgetSlot(db, { clientId, channel, windowStart, budget })) return
  messageBudgetRefusals(deps.metrics).inc({ channel })
  const retryAfter = Math.max(1, Math.ceil((windowStart + HOUR_MS - now) / 1000))
  throw new AppError('MESSAGE_BUDGET_EXCEEDED', {
    body: { retryAfter, channel },
    headers: { 'retry-after': String(retryAfter) },
    internal: `client ${clientId} spent its ${channel} budget of ${budget} for this hour`,
  })
}
