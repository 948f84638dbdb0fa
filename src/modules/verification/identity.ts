import type { SessionRow, UserRow } from '../../db/schema.ts'
import { keyedDigest, seal, unseal } from '../../lib/crypto.ts'
import { openSsn } from '../users/index.ts'

/** The identity data a submission is checked against, as it stood when the documents were submitted. */
export type IdentitySnapshot = {
  firstName: string | null
  lastName: string | null
  dateOfBirth: string | null
  countryOfNationality: string | null
  countryOfResidence: string
  ssnLast4: string | null
  /** Only when proof of address was part of the submission. */
  address: {
    line1: string | null
    line2: string | null
    city: string | null
    zip: string | null
    usState: string | null
  } | null
}

export const identitySnapshot = (user: UserRow, includesAddress: boolean): IdentitySnapshot => ({
  firstName: user.first_name,
  lastName: user.last_name,
  dateOfBirth: user.date_of_birth,
  countryOfNationality: user.country_of_nationality,
  countryOfResidence: user.country_of_residence,
  ssnLast4: user.ssn_last4,
  address: includesAddress
    ? {
        line1: user.address_line1,
        line2: user.address_line2,
        city: user.city,
        zip: user.zip,
        usState: user.us_state,
      }
    : null,
})

export type IdentityKeys = { identitySnapshots: Buffer; ssn: Buffer }

/**
 * A keyed digest over the snapshot and the full SSN (which the sealed snapshot does not keep): any later
 * change of what was checked, the SSN included, gives another digest. Keyed, so that the digest of a
 * guessable identity (name, birth date) cannot be confirmed without the server secret.
 */
export const identityDigest = (keys: IdentityKeys, user: UserRow, snapshot: IdentitySnapshot): string => {
  return keyedDigest(keys.identitySnapshots, JSON.stringify({ ...snapshot, ssn: openSsn(keys, user) }))
}

/** Sealed under the session id: a snapshot copied onto another session does not open. */
export const sealIdentity = (keys: IdentityKeys, sessionId: string, snapshot: IdentitySnapshot): string =>
  seal(keys.identitySnapshots, JSON.stringify(snapshot), sessionId)

export const openIdentity = (keys: IdentityKeys, sessionId: string, sealed: string): IdentitySnapshot =>
  JSON.parse(unseal(keys.identitySnapshots, sealed, sessionId)) as IdentitySnapshot

/** The identity a session was submitted with, as the checks read it. */
export type SubmittedIdentity = {
  snapshot: IdentitySnapshot
  /** The user's SSN in clear (never stored or logged so), or null when none was given. */
  ssn: string | null
  /**
   * Whether that SSN is the one the submission froze. The snapshot keeps only its last four digits;
   * the session's digest covers the full number, so the frozen snapshot with today's SSN gives the same
   * digest exactly when the SSN has not changed since.
   */
  ssnAsSubmitted: boolean
}

/** The identity frozen at submission, or null for a session that was never submitted. */
export const submittedIdentity = (
  keys: IdentityKeys,
  session: Pick<SessionRow, 'id' | 'identity_sealed' | 'identity_digest'>,
  user: UserRow,
): SubmittedIdentity | null => {
  if (session.identity_sealed === null || session.identity_digest === null) return null
  const snapshot = openIdentity(keys, session.id, session.identity_sealed)
  return {
    snapshot,
    ssn: openSsn(keys, user),
    ssnAsSubmitted: identityDigest(keys, user, snapshot) === session.identity_digest,
  }
}
