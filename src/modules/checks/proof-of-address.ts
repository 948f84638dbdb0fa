import { DAY_MS } from '../../lib/clock.ts'
import { findName, findPostcode, findStreet } from './address-match.ts'
import type { AddressDocument } from './analysis/address/address-analyzer.ts'
import { latestDateUpTo, resolveDate, writesMonthFirst } from './analysis/address/dates.ts'
import type { Check, CheckContext, CheckFinding } from './check.ts'

/** Fewer letters and digits than this is no page of text, whatever the OCR's confidence. */
const MIN_TEXT_CHARACTERS = 20

const isoDay = (time: number) => new Date(time).toISOString().slice(0, 10)

/** The same day `months` calendar months earlier, or the month's last day when it has fewer (31 Dec → 30 Sep). */
export const monthsBefore = (iso: string, months: number): string => {
  const [year = 0, month = 1, day = 1] = iso.split('-').map(Number)
  const target = new Date(Date.UTC(year, month - 1 - months, 1))
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate()
  target.setUTCDate(Math.min(day, lastDay))
  return isoDay(target.getTime())
}

/**
 * Proof of address is asked for in the us region and by clients that require it; the flow does not let
 * such a session be submitted without one. Should one arrive without it anyway, this check still
 * applies and sends it to a person, so that the requirement never rests on the flow alone.
 */
const needsAddress = ({ database, client }: CheckContext) =>
  database.region === 'us' || client?.requireProofOfAddress === true

const readingOf = (document: AddressDocument) => ({
  format: document.format,
  textLayer: document.textLayer,
  ocr: document.ocr,
  pages: document.pages,
  confidence: document.confidence === null ? null : Math.round(document.confidence),
})

/**
 * Proof of address: a bill or statement dated within ADDRESS_DOCUMENT_MAX_AGE_MONTHS of the check that
 * names the registered user at the registered street and postcode. What a new upload can fix (an
 * unreadable photo, no date, too old) fails as retryable, so the user is asked for another; what only
 * a person can judge (a scan OCR cannot read, a name or address not found as registered) is
 * inconclusive. It passes only when the date, the name, the street and the postcode are all found.
 */
/**
 * Who and where the user said they are, as the session froze it at submission (what the bill must
 * show); the user's row only for a session that froze no address (submitted before the freeze).
 */
const registeredOf = ({ identity, user }: CheckContext) => {
  const frozen = identity?.snapshot
  if (!frozen?.address) return user
  return {
    first_name: frozen.firstName,
    last_name: frozen.lastName,
    country_of_residence: frozen.countryOfResidence,
    address_line1: frozen.address.line1,
    city: frozen.address.city,
    zip: frozen.address.zip,
  }
}

export const proofOfAddress: Check = {
  id: 'proof-of-address',
  version: '1',
  kind: 'address',
  // Sandbox submissions are decided by their scenario and never analysed.
  appliesTo: (context) =>
    !context.sandbox && (context.input.files.proof_of_address !== undefined || needsAddress(context)),
  run: (context): CheckFinding => {
    const { analysis, config, now } = context
    const user = registeredOf(context)
    const document = analysis.address
    if (!context.input.files.proof_of_address || !document)
      return { outcome: 'inconclusive', reason: 'MEDIA_MISSING', evidence: { proofOfAddress: 'missing' } }

    const thresholds = {
      maxAgeMonths: config.ADDRESS_DOCUMENT_MAX_AGE_MONTHS,
      match: config.ADDRESS_MATCH_THRESHOLD,
      minConfidence: config.ADDRESS_OCR_MIN_CONFIDENCE,
    }
    const reading = readingOf(document)
    if (!document.readable)
      return { outcome: 'fail', reason: 'ADDRESS_DOCUMENT_UNREADABLE', evidence: { ...reading, thresholds } }

    const characters = document.text.match(/[\p{L}\p{N}]/gu)?.length ?? 0
    const legible =
      characters >= MIN_TEXT_CHARACTERS &&
      (document.confidence === null || document.confidence >= thresholds.minConfidence)
    if (!legible) {
      const evidence = { ...reading, text: document.text, thresholds }
      // A photo can be taken again; a PDF is what the provider issued, and a person can still read it.
      return document.format === 'image'
        ? { outcome: 'fail', reason: 'ADDRESS_DOCUMENT_UNREADABLE', evidence }
        : { outcome: 'inconclusive', reason: 'ADDRESS_DOCUMENT_NO_TEXT', evidence }
    }

    // Numeric dates are read the way the user's country of residence writes them (US: month first).
    const monthFirst = writesMonthFirst(user.country_of_residence)
    const dates = document.dates.map((date) => ({
      text: date.text,
      line: date.line,
      labelled: date.labelled,
      date: resolveDate(date, monthFirst),
    }))
    const today = isoDay(now)
    // A day's grace: a statement issued "tomorrow" by the clock of a provider east of UTC is not in the future.
    const latest = (only: typeof dates) =>
      latestDateUpTo(
        only.flatMap(({ date }) => (date ? [date] : [])),
        isoDay(now + DAY_MS),
      )
    // The date labelled as the issue date when there is one (a due date may already have passed when
    // the check runs); otherwise the latest date on the document that is not in the future.
    const statementDate = latest(dates.filter((date) => date.labelled)) ?? latest(dates)
    const oldestAccepted = monthsBefore(today, thresholds.maxAgeMonths)

    const registered = {
      name: [user.first_name, user.last_name].filter(Boolean).join(' '),
      street: user.address_line1,
      city: user.city,
      postcode: user.zip,
    }
    const name = findName(
      document.text,
      { firstName: user.first_name ?? '', lastName: user.last_name ?? '' },
      thresholds.match,
    )
    const street = findStreet(document.text, user.address_line1 ?? '', thresholds.match)
    const postcodeFound = user.zip !== null && findPostcode(document.text, user.zip)
    // Reported for the reviewer; not required, since the postcode already places the street.
    const cityFound = user.city !== null && findStreet(document.text, user.city, thresholds.match).found
    const evidence = {
      ...reading,
      text: document.text,
      dateOrder: monthFirst ? 'month-first' : 'day-first',
      dates,
      statementDate,
      oldestAccepted,
      registered,
      name,
      street,
      postcode: { found: postcodeFound },
      city: { found: cityFound },
      thresholds,
    }

    if (statementDate === null) return { outcome: 'fail', reason: 'ADDRESS_DOCUMENT_UNDATED', evidence }
    if (statementDate < oldestAccepted)
      return { outcome: 'fail', reason: 'ADDRESS_DOCUMENT_TOO_OLD', evidence }
    const score = Math.min(name.score, street.score)
    if (!name.found || !street.found || !postcodeFound)
      return { outcome: 'inconclusive', reason: 'ADDRESS_MISMATCH', score, evidence }
    return { outcome: 'pass', score, evidence }
  },
}
