import type { Config } from '../../config/config.ts'
import type { Queryable } from '../../db/database.ts'
import type { CodePurpose } from '../../db/schema.ts'
import type { Keys } from '../../lib/keys.ts'
import type { Client } from '../clients/index.ts'
import type { BudgetConfig } from '../messaging/index.ts'
import { deliveryFor, type QueueMessageDeps, queueMessage } from '../messaging/index.ts'
import { codeEmail, codeSms } from './messages.ts'
import { issueCode } from './service.ts'

/**
 * The one way a code leaves the server: the per-address limits (issueCode), the client's hourly
 * budget for the channel, and sandbox delivery to the outbox only (queueMessage). Call it inside a
 * transaction and notify the job signal after it commits.
 */
export type SendCodeDeps = QueueMessageDeps & {
  keys: Pick<Keys, 'jobPayloads' | 'verificationCodes'>
  config: BudgetConfig & Pick<Config, 'CODES_PER_ADDRESS_HOURLY_CEILING'>
}

type SendCodeRequest = {
  client: Pick<Client, 'id' | 'mode'>
  purpose: CodePurpose
  /** What the code unlocks (a contact verification, a user for login OTPs, …). */
  subject: string
  /** The email address (purpose `email`) or E.164 phone number the code is sent to. */
  target: string
}

export const sendCode = async (db: Queryable, deps: SendCodeDeps, request: SendCodeRequest) => {
  const code = await issueCode(
    db,
    {
      clock: deps.clock,
      codeKey: deps.keys.verificationCodes,
      addressCeiling: deps.config.CODES_PER_ADDRESS_HOURLY_CEILING,
    },
    {
      clientId: request.client.id,
      purpose: request.purpose,
      subject: request.subject,
      target: request.target,
      delivery: deliveryFor(request.client),
    },
  )
  const message =
    request.purpose === 'email' ? codeEmail(request.target, code) : codeSms(request.target, code)
  await queueMessage(db, deps, request.client, message)
}
