import type { Check } from './check.ts'
import { ageFrom, expiryStatus } from './validity-dates.ts'

/**
 * The document is not expired at `now` and its holder is at least the minimum age (region, raised by
 * the client). The age comes from the document's date of birth, or the registered one when the
 * document has none. A document without an expiry date, or with a date that cannot be read, goes to a
 * person: doubt never approves. Without document data the check does not apply, and the rules send
 * the case to a person because validity is required.
 */
export const validity: Check = {
  id: 'validity',
  version: '1',
  kind: 'validity',
  appliesTo: ({ sandbox, analysis }) => !sandbox && analysis.documentData !== undefined,
  run: ({ analysis, identity, user, policy, now }) => {
    const document = analysis.documentData
    if (!document) return { outcome: 'inconclusive' }
    const registered = identity?.snapshot.dateOfBirth ?? user.date_of_birth
    const dateOfBirth = document.dateOfBirth ?? registered
    const age = dateOfBirth === null ? null : ageFrom(dateOfBirth, now)
    const expiry = expiryStatus(document.expiryDate, now)
    const evidence = {
      expiryDate: document.expiryDate,
      expiry,
      dateOfBirth,
      dateOfBirthFrom:
        document.dateOfBirth !== null ? 'document' : registered !== null ? 'registration' : null,
      age,
      minimumAge: policy.minimumAge,
    }
    // Under age first: it is final, where an expired document only asks for another one.
    if (age !== null && age < policy.minimumAge) return { outcome: 'fail', reason: 'UNDERAGE', evidence }
    if (expiry === 'expired') return { outcome: 'fail', reason: 'DOCUMENT_EXPIRED', evidence }
    if (age === null || expiry !== 'valid') return { outcome: 'inconclusive', evidence }
    return { outcome: 'pass', evidence }
  },
}
