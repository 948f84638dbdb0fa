import { randomInt } from 'node:crypto'
import type { Queryable } from '../../db/database.ts'
import type { CodePurpose } from '../../db/schema.ts'
import type { Clock } from '../../lib/clock.ts'
import { keyedDigest } from '../../lib/crypto.ts'
import { AppError } from '../../lib/errors.ts'
import { newId } from '../../lib/ids.ts'
import { digestsEqual } from '../../lib/tokens.ts'

/**
 * Verification codes for email, phone and login OTP: 6 digits, single use, valid 10 minutes, at most 5
 * attempts, stored only as an HMAC under a server-derived key (a plain hash of a 6-digit code is
 * reversed by trying all million). A new code replaces the previous one for the same subject.
 */
export const CODE_TTL_MS = 10 * 60 * 1000
export const CODE_MAX_ATTEMPTS = 5
export const CODES_PER_TARGET_PER_HOUR = 5
/** Accepted instead of the real code for sandbox clients only; live clients never accept it. */
export const SANDBOX_CODE = '000000'

const HOUR_MS = 60 * 60 * 1000

export type CodeDeps = { clock: Clock; codeKey: Buffer }

export type CodeRequest = { clientId: string; purpose: CodePurpose; subject: string; target: string }

/** Creates a code and returns it in clear, for the caller to queue in a message in the same transaction. */
export const issueCode = async (
  db: Queryable,
  { clock, codeKey }: CodeDeps,
  request: CodeRequest,
): Promise<string> => {
  const now = clock.now()
  // Each address or phone gets a few codes an hour: stops mail bombing and SMS pumping through us.
  const recent = await db
    .selectFrom('verification_code')
    .select('created_at')
    .where('purpose', '=', request.purpose)
    .where('target', '=', request.target)
    .where('created_at', '>', now - HOUR_MS)
    .orderBy('created_at')
    .execute()
  if (recent.length >= CODES_PER_TARGET_PER_HOUR) {
    const retryAfter = Math.max(1, Math.ceil(((recent[0]?.created_at ?? now) + HOUR_MS - now) / 1000))
    throw new AppError('RATE_LIMITED', {
      message: 'Too many codes requested; try again later',
      body: { retryAfter },
      headers: { 'retry-after': String(retryAfter) },
    })
  }
  await db
    .updateTable('verification_code')
    .set({ consumed_at: now })
    .where('purpose', '=', request.purpose)
    .where('subject', '=', request.subject)
    .where('consumed_at', 'is', null)
    .execute()
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0')
  await db
    .insertInto('verification_code')
    .values({
      id: newId('code'),
      client_id: request.clientId,
      purpose: request.purpose,
      subject: request.subject,
      target: request.target,
      code_digest: keyedDigest(codeKey, `${request.purpose}:${request.subject}:${code}`),
      attempts: 0,
      expires_at: now + CODE_TTL_MS,
      consumed_at: null,
      created_at: now,
    })
    .execute()
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
  const current = await db
    .selectFrom('verification_code')
    .selectAll()
    .where('purpose', '=', check.purpose)
    .where('subject', '=', check.subject)
    .where('client_id', '=', check.clientId)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst()
  if (!current || current.consumed_at !== null) {
    throw new AppError('INVALID_CODE', { message: 'No active verification code; request a new one' })
  }
  if (current.expires_at <= now) throw new AppError('CODE_EXPIRED')

  // Count the attempt first and atomically, so parallel guesses cannot exceed the limit.
  const counted = await db
    .updateTable('verification_code')
    .set({ attempts: (eb) => eb('attempts', '+', 1) })
    .where('id', '=', current.id)
    .where('attempts', '<', CODE_MAX_ATTEMPTS)
    .where('consumed_at', 'is', null)
    .returning('attempts')
    .executeTakeFirst()
  if (!counted) throw new AppError('CODE_ATTEMPTS_EXCEEDED')

  const presented = keyedDigest(codeKey, `${check.purpose}:${check.subject}:${check.code.trim()}`)
  const matches =
    digestsEqual(presented, current.code_digest) || (check.sandbox && check.code.trim() === SANDBOX_CODE)
  if (!matches) {
    const attemptsRemaining = CODE_MAX_ATTEMPTS - counted.attempts
    if (attemptsRemaining <= 0) throw new AppError('CODE_ATTEMPTS_EXCEEDED')
    throw new AppError('INVALID_CODE', { body: { attemptsRemaining } })
  }
  const consumed = await db
    .updateTable('verification_code')
    .set({ consumed_at: now })
    .where('id', '=', current.id)
    .where('consumed_at', 'is', null)
    .executeTakeFirst()
  // Two correct submissions racing: only one of them may use the code.
  if (consumed.numUpdatedRows !== 1n)
    throw new AppError('INVALID_CODE', { message: 'Verification code already used' })
}
