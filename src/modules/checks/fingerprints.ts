import type { FingerprintKind } from '../../db/schema.ts'
import { keyedDigest } from '../../lib/crypto.ts'
import type { DocumentData } from './analysis/document-data.ts'
import { documentCountry } from './document-countries.ts'

export type IdentityFingerprint = { kind: FingerprintKind; digest: string }

/** Document numbers as printed, without MRZ fillers, spaces or dashes: `C01X00T47`, `D123-456-789`. */
export const normalizedDocumentNumber = (number: string): string =>
  number.toUpperCase().replace(/[^A-Z0-9]/g, '')

/**
 * The keyed digest of a document number alone, for the console's search: the issuing country is left
 * out (a reviewer types the number, not where it was issued), the client is kept in (the same number
 * at two clients gives two digests). Null when nothing of the number is left once normalised.
 */
export const documentNumberDigest = (key: Buffer, clientId: string, number: string): string | null => {
  const normalized = normalizedDocumentNumber(number)
  return normalized ? keyedDigest(key, `${clientId}\u0000document-number\u0000${normalized}`) : null
}

/**
 * The keyed fingerprints of an identity: the document (its number and issuing country — `D` and `DEU`
 * are one country) and the SSN. The client is part of what is hashed: the same passport gives another
 * fingerprint at another client, so the table links nobody across clients, and without the server
 * secret no fingerprint can be confirmed from a guessed number.
 */
export const identityFingerprints = (
  key: Buffer,
  clientId: string,
  document: DocumentData | undefined,
  ssn: string | null,
): IdentityFingerprint[] => {
  const fingerprint = (kind: FingerprintKind, value: string): IdentityFingerprint => ({
    kind,
    digest: keyedDigest(key, `${clientId}\u0000${kind}\u0000${value}`),
  })
  const number = document?.documentNumber ? normalizedDocumentNumber(document.documentNumber) : ''
  const country = document?.issuingCountry
    ? (documentCountry(document.issuingCountry) ?? document.issuingCountry.replaceAll('<', '').toUpperCase())
    : ''
  return [
    ...(number && country ? [fingerprint('document', `${country}:${number}`)] : []),
    ...(ssn ? [fingerprint('ssn', ssn)] : []),
  ]
}
