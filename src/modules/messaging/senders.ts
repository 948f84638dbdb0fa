import type { Transporter } from 'nodemailer'
import type { RegionDatabase } from '../../db/database.ts'
import { PermanentJobError } from '../../jobs/errors.ts'
import type { Clock } from '../../lib/clock.ts'
import type { Message } from './model.ts'
import { writeToOutbox } from './outbox.ts'

export type MessageSender = (
  message: Message,
  context: { database: RegionDatabase; signal: AbortSignal },
) => Promise<void>

export type SenderConfig = {
  SMTP_URL?: string | undefined
  MAIL_FROM: string
  SMS_WEBHOOK_URL?: string | undefined
  SMS_WEBHOOK_TOKEN?: string | undefined
}

const SMS_TIMEOUT_MS = 10_000

/** Email through SMTP (nodemailer), SMS through one HTTP gateway, or both to the outbox in development. */
export const createMessageSender = (config: SenderConfig, clock: Clock): MessageSender => {
  // nodemailer loads with the first email, not with every process that composes a worker (issue #15).
  let transport: Promise<Transporter> | undefined
  // A failed load or setup is not kept: the next email tries again (its job retries meanwhile).
  const smtp = (url: string) =>
    (transport ??= import('nodemailer')
      .then(({ default: nodemailer }) => nodemailer.createTransport(url))
      .catch((error: unknown) => {
        transport = undefined
        throw error
      }))

  const sendEmail = async (message: Extract<Message, { channel: 'email' }>, database: RegionDatabase) => {
    if (!config.SMTP_URL) return writeToOutbox(database.db, clock, message)
    await (await smtp(config.SMTP_URL)).sendMail({
      from: config.MAIL_FROM,
      to: message.to,
      subject: message.subject,
      text: message.text,
    })
  }

  const sendSms = async (
    message: Extract<Message, { channel: 'sms' }>,
    database: RegionDatabase,
    signal: AbortSignal,
  ) => {
    if (!config.SMS_WEBHOOK_URL) return writeToOutbox(database.db, clock, message)
    const response = await fetch(config.SMS_WEBHOOK_URL, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(config.SMS_WEBHOOK_TOKEN ? { authorization: `Bearer ${config.SMS_WEBHOOK_TOKEN}` } : {}),
      },
      body: JSON.stringify({ to: message.to, body: message.text }),
      redirect: 'error',
      signal: AbortSignal.any([signal, AbortSignal.timeout(SMS_TIMEOUT_MS)]),
    })
    await response.body?.cancel()
    if (response.ok) return
    // A gateway that refuses the request will refuse it again; server errors and throttling are retried.
    const failure = `SMS gateway answered ${response.status}`
    if (
      response.status >= 400 &&
      response.status < 500 &&
      response.status !== 408 &&
      response.status !== 429
    ) {
      throw new PermanentJobError(failure)
    }
    throw new Error(failure)
  }

  return (message, { database, signal }) =>
    message.channel === 'email' ? sendEmail(message, database) : sendSms(message, database, signal)
}
