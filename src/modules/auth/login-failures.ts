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

/**
 * The keys one login is counted under. `scope` is whose accounts the email belongs to: the client's
 * id for end users, or another scope that no client id can take (client ids start with `cli_`), such
 * as the console's staff.
 */
export const loginKeys = (key: Buffer, scope: string, email: string, address: string): LoginKeys => {
  const emailKey = keyedDigest(key, `email:${email}`)
  return {
    address: { clientId: scope, emailKey, addressKey: keyedDigest(key, `address:${address}`) },
    account: { clientId: scope, emailKey, addressKey: ACCOUNT_WIDE },
  }
}

/** The error a locked login answers with, given when the lock ends. */
export type LockedError = (until: number, now: number) => AppError

/** Seconds until `until`, at least 1: what a lock answers as `retryAfter` and `Retry-After`. */
export const secondsUntil = (until: number, now: number): number =>
  Math.max(1, Math.ceil((until - now) / 1000))

export const lockedError: LockedError = (until, now) => {
  const retryAfter = secondsUntil(until, now)
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
 * throws `locked` (ACCOUNT_LOCKED by default; nothing reserved). Answers the lock expiry when this check
 * is the one that locked the account: a wrong password then answers "locked" at once.
 */
export const reservePasswordCheck = (
  db: Kysely<DB>,
  keys: LoginKeys,
  now: number,
  locked: LockedError = lockedError,
): Promise<number | null> =>
  db.transaction().execute(async (trx) => {
    const fromAddress = await reserveLoginAttempt(trx, keys.address, now, PER_ADDRESS)
    if (!fromAddress) throw locked(await lockOf(trx, keys.address, PER_ADDRESS, now), now)
    const anywhere = await reserveLoginAttempt(trx, keys.account, now, PER_ACCOUNT)
    // Throwing rolls the address's reservation back with it.
    if (!anywhere) throw locked(await lockOf(trx, keys.account, PER_ACCOUNT, now), now)
    return fromAddress.lockedUntil ?? anywhere.lockedUntil
  })

/** The password was right: the address's failures are forgiven and the reserved check given back. */
export const forgivePasswordCheck = async (db: Queryable, keys: LoginKeys): Promise<void> => {
  await clearLoginFailures(db, keys.address)
  await refundLoginAttempt(db, keys.account)
}
