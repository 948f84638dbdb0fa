import { Counter, type Registry } from 'prom-client'

export type LoginOutcome = 'success' | 'wrong_password' | 'unknown_account' | 'locked' | 'throttled'

export type LoginMetrics = { count(outcome: LoginOutcome): void }

const NAME = 'verity_login_attempts_total'

/** Logins by outcome: success, wrong_password and unknown_account are the passwords actually checked. */
export const createLoginMetrics = (registry: Registry): LoginMetrics => {
  const counter =
    (registry.getSingleMetric(NAME) as Counter<'outcome'> | undefined) ??
    new Counter({
      name: NAME,
      help: 'Login attempts by outcome (locked and throttled attempts check no password).',
      labelNames: ['outcome'],
      registers: [registry],
    })
  return { count: (outcome) => counter.inc({ outcome }) }
}
