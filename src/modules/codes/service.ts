import { randomInt } from 'node:crypto'
import type { Queryable } from '../../db/database.ts'
import type { CodePurpose } from '../../db/schema.ts'
import { type Clock, HOUR_MS } from '../../lib/clock.ts'
import { keyedDigest } from '../../lib/crypto.ts'
import { AppError } from '../../lib/errors.ts'
import { newId } from '../../lib/ids.ts'
import { digestsEqual } from '../../lib/tokens.ts'
import type { MessageDelivery } from '../messaging/index.ts'
import * as repo from './repo.ts'

/**
 * Verification codes for email, phone and login OTP: 6 digits, single use, valid 10 minutes, at most 5
 * attempts, stored only as an HMAC under a server-derived key (a plain hash of a 6-digit code is
 * reversed by trying all million). A new code replaces the previous one for the same subject.
 */
export const CODE_TTL_MS = 10 * 60 * 1000
export const CODE_MAX_ATTEMPTS = 5
/** Codes one client may send to one address for one purpose in a rolling hour. */
export const CODES_PER_TARGET_PER_HOUR = 5
/** Accepted instead of the real code for sandbox clients only; live clients never accept it. */
export const SANDBOX_CODE = '000000'

export type CodeDeps = { clock: Clock; codeKey: Buffer }

/** `addressCeiling`: codes one address may receive in a rolling hour from every client together. */
type IssueCodeDeps = CodeDeps & { addressCeiling: number }

export type CodeRequest = {
  clientId: string
  purpose: CodePurpose
  subject: string
  target: string
  /** How its message goes out: sandbox codes only reach the outbox. */
  delivery: MessageDelivery
}

/** Seconds until fewer than `limit` of the (ascending) send times are younger than an hour. */
const secondsUntilBelow = (sentAt: number[], limit: number, now: number): number =>
  Math.max(1, Math.ceil(((sentAt[sentAt.length - limit] ?? now) + HOUR_MS - now) / 1000))

const rateLimited = (retryAfter: number) =>
  new AppError('RATE_LIMITED', {
    message: 'Too many codes requested; try again later',
    body: { retryAfter },
    headers: { 'retry-after': String(retryAfter) },
  })

/**
 * Creates a code and returns it in clear, for the caller to queue in a message in the same
 * transaction (which it must be called in: the address lock below lasts until that commits).
 */
export const issueCode = async (
  db: Queryable,
  { clock, codeKey, addressCeiling }: IssueCodeDeps,
  request: CodeRequest,
): Promise<string> => {
  const now = clock.now()
  await repo.lockCodeAddress(db, request.target, now)
  const recent = await repo.codesSentTo(db, request.target, now - HOUR_MS)
  // Counted per client, so that one tenant cannot use up another tenant's codes for the same person:
  // each address gets a few codes an hour per client (mail bombing, SMS pumping through us)...
  const mine = recent
    .filter((sent) => sent.client_id === request.clientId && sent.purpose === request.purpose)
    .map((sent) => sent.created_at)
  if (mine.length >= CODES_PER_TARGET_PER_HOUR)
    throw rateLimited(secondsUntilBelow(mine, CODES_PER_TARGET_PER_HOUR, now))
  // ...and a higher ceiling across all clients, on what actually reached the address (sandbox codes
  // stay in the outbox). Its refusal reads the same, so it says nothing about what other clients send.
  const delivered = recent.filter((sent) => sent.delivery === 'provider').map((sent) => sent.created_at)
  if (request.delivery === 'provider' && delivered.length >= addressCeiling)
    throw rateLimited(secondsUntilBelow(delivered, addressCeiling, now))
  await repo.retireCodes(db, request.purpose, request.subject, now)
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0')
  await repo.insertCode(db, {
    id: newId('code'),
    client_id: request.clientId,
    purpose: request.purpose,
    subject: request.subject,
    target: request.target,
    delivery: request.delivery,
    code_digest: keyedDigest(codeKey, `${request.purpose}:${request.subject}:${code}`),
    attempts: 0,
    expires_at: now + CODE_TTL_MS,
    consumed_at: null,
    created_at: now,
  })
  return code
}

export type CodeCheck = {
  clientId: string
  sandbox: boolean
  purpose: CodePurpose
  subject: string
  code: string
}

/** Consumes the subject's current code if `code` matches; otherwise counts the attempt and throws. */
export const consumeCode = async (
  db: Queryable,
  { clock, codeKey }: CodeDeps,
  check: CodeCheck,
): Promise<void> => {
  const now = clock.now()
  const current = await repo.latestCode(db, check.clientId, check.purpose, check.subject)
  if (!current || current.consumed_at !== null) {
    throw new AppError('INVALID_CODE', { message: 'No active verification code; request a new one' })
  }
  if (current.expires_at <= now) throw new AppError('CODE_EXPIRED')

  // Count the attempt first and atomically, so parallel guesses cannot exceed the limit.
  const attempts = await repo.countAttempt(db, current.id, CODE_MAX_ATTEMPTS)
  if (attempts === undefined) throw new AppError('CODE_ATTEMPTS_EXCEEDED')

  const presented = keyedDigest(codeKey, `${check.purpose}:${check.subject}:${check.code.trim()}`)
  const matches =
    digestsEqual(presented, current.code_digest) || (check.sandbox && check.code.trim() === SANDBOX_CODE)
  if (!matches) {
    const attemptsRemaining = CODE_MAX_ATTEMPTS - attempts
    if (attemptsRemaining <= 0) throw new AppError('CODE_ATTEMPTS_EXCEEDED')
    throw new AppError('INVALID_CODE', { body: { attemptsRemaining } })
  }
  // Two correct submissions racing: only one of them may use the code.
  if (!(await repo.markConsumed(db, current.id, now)))
    throw new AppError('INVALID_CODE', { message: 'Verification code already used' })
}
