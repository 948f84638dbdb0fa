import { ageOn, parseIsoDate } from '../../lib/validators.ts'

/**
 * Whether a document is still valid at `now`. A document is valid through its date of expiry (the
 * printed date is its last day, as ICAO 9303 and most issuers use it), judged on the UTC calendar day:
 * a document expiring today is valid today and expired tomorrow.
 */
export const expiryStatus = (
  expiryDate: string | null,
  now: number,
): 'valid' | 'expired' | 'none' | 'unreadable' => {
  if (expiryDate === null) return 'none'
  const expiry = parseIsoDate(expiryDate)
  if (!expiry) return 'unreadable'
  const lastValidDay = Date.UTC(expiry.year, expiry.month - 1, expiry.day)
  return utcDay(now) <= lastValidDay ? 'valid' : 'expired'
}

const utcDay = (now: number) => {
  const today = new Date(now)
  return Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate())
}

/** Nobody is older: an age beyond it is a misread date, for a person to look at. */
export const OLDEST_PLAUSIBLE_AGE = 120

/**
 * Whole years since a date of birth at `now` (UTC calendar day). A 29 February birthday falls on
 * 1 March in common years — the later of the two candidate days, so no one is taken for older than
 * they are (lib/validators.ts `ageOn`, the rule onboarding applies too). Null for a date that is no
 * real calendar date, lies in the future or is implausibly old.
 */
export const ageFrom = (dateOfBirth: string, now: number): number | null => {
  const birth = parseIsoDate(dateOfBirth)
  if (!birth || Date.UTC(birth.year, birth.month - 1, birth.day) > utcDay(now)) return null
  const age = ageOn(birth, now)
  return age > OLDEST_PLAUSIBLE_AGE ? null : age
}
