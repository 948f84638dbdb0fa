import type { Kysely } from 'kysely'
import type { Queryable } from '../../db/database.ts'
import type { DB } from '../../db/schema.ts'
import { keyedDigest } from '../../lib/crypto.ts'
import { AppError } from '../../lib/errors.ts'
import {
  clearLoginFailures,
  type FailureKey,
  type FailurePolicy,
  findLoginLock,
  refundLoginAttempt,
  reserveLoginAttempt,
} from './repo.ts'

/**
 * Wrong passwords lock an account for the address they came from: five from one address lock that
 * account for that address for 15 minutes, so a stranger cannot lock the owner out from elsewhere.
 * Guesses spread over many addresses meet the slower per-account limit: 50 an hour, then an hour's
 * lock for every address (the only way to lock the owner out, and it takes at least three addresses
 * guessing for the full hour, since the per-address throttle allows 20 failures per 15 minutes).
 * Emails without an account are counted and locked exactly like real ones, so a lock tells nothing.
 */
export const PER_ADDRESS: FailurePolicy = { maxFailures: 5, windowMs: 15 * 60_000, lockoutMs: 15 * 60_000 }
export const PER_ACCOUNT: FailurePolicy = { maxFailures: 50, windowMs: 60 * 60_000, lockoutMs: 60 * 60_000 }

const ACCOUNT_WIDE = '*'

export type LoginKeys = { address: FailureKey; account: FailureKey }

export const loginKeys = (key: Buffer, clientId: string, email: string, address: string): LoginKeys => {
  const emailKey = keyedDigest(key, `email:${email}`)
  return {
    address: { clientId, emailKey, addressKey: keyedDigest(key, `address:${address}`) },
    account: { clientId, emailKey, addressKey: ACCOUNT_WIDE },
  }
}

export const lockedError = (until: number, now: number) => {
  const retryAfter = Math.max(1, Math.ceil((until - now) / 1000))
  return new AppError('ACCOUNT_LOCKED', {
    message: `Your account is temporarily locked after too many failed attempts; try again in ${Math.ceil(retryAfter / 60)} minutes`,
    body: { retryAfter },
    headers: { 'retry-after': String(retryAfter) },
  })
}

const lockOf = async (db: Queryable, key: FailureKey, policy: FailurePolicy, now: number) =>
  (await findLoginLock(db, key))?.locked_until ?? now + policy.lockoutMs

/**
 * Reserves one password check for this email from this address, before the password is checked, or
 * throws ACCOUNT_LOCKED (nothing reserved). Answers the lock expiry when this check is the one that
 * locked the account: a wrong password then answers "locked" at once.
 */
export const reservePasswordCheck = (db: Kysely<DB>, keys: LoginKeys, now: number): Promise<number | null> =>
  db.transaction().execute(async (trx) => {
    const fromAddress = await reserveLoginAttempt(trx, keys.address, now, PER_ADDRESS)
    if (!fromAddress) throw lockedError(await lockOf(trx, keys.address, PER_ADDRESS, now), now)
    const anywhere = await reserveLoginAttempt(trx, keys.account, now, PER_ACCOUNT)
    // Throwing rolls the address's reservation back with it.
    if (!anywhere) throw lockedError(await lockOf(trx, keys.account, PER_ACCOUNT, now), now)
    return fromAddress.lockedUntil ?? anywhere.lockedUntil
  })

/** The password was right: the address's failures are forgiven and the reserved check given back. */
export const forgivePasswordCheck = async (db: Queryable, keys: LoginKeys): Promise<void> => {
  await clearLoginFailures(db, keys.address)
  await refundLoginAttempt(db, keys.account)
}
