import type { UserRow } from '../../db/schema.ts'
import { seal, unseal } from '../../lib/crypto.ts'
import type { Keys } from '../../lib/keys.ts'

export type SsnColumns = Pick<UserRow, 'ssn_sealed' | 'ssn_last4'>

/**
 * The user row's SSN columns for a normalized SSN (or none): the full number only encrypted, and
 * bound to the user id, so a sealed SSN copied onto another row does not decrypt.
 */
export const sealSsn = (keys: Pick<Keys, 'ssn'>, userId: string, ssn: string | null): SsnColumns =>
  ssn === null
    ? { ssn_sealed: null, ssn_last4: null }
    : { ssn_sealed: seal(keys.ssn, ssn, userId), ssn_last4: ssn.slice(-4) }

/** The full SSN sealed on the user's row, or null when none was given. */
export const openSsn = (keys: Pick<Keys, 'ssn'>, user: Pick<UserRow, 'id' | 'ssn_sealed'>): string | null =>
  user.ssn_sealed === null ? null : unseal(keys.ssn, user.ssn_sealed, user.id)
