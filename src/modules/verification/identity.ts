import type { UserRow } from '../../db/schema.ts'
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
