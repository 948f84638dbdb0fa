import { compareNames, type NameComparison } from '../names/index.ts'
import type { Check, CheckFinding } from './check.ts'

/** How the registered date of birth compares with the document's. */
export type DateComparison = 'same' | 'near_miss' | 'mismatch'

const digitsOf = (isoDate: string) => isoDate.replace(/-/g, '')

/**
 * A near miss is what a slip at registration produces: day and month swapped (the US and European
 * orders), one digit wrong, or two neighbouring digits swapped. Anything else is another date.
 */
export const compareDates = (registered: string, document: string): DateComparison => {
  if (registered === document) return 'same'
  const [year, month, day] = registered.split('-')
  if (`${year}-${day}-${month}` === document) return 'near_miss'
  const a = digitsOf(registered)
  const b = digitsOf(document)
  if (a.length !== b.length) return 'mismatch'
  const differing = [...a].flatMap((digit, at) => (digit === b[at] ? [] : [at]))
  if (differing.length === 1) return 'near_miss'
  const [first, second] = differing
  if (
    differing.length === 2 &&
    first !== undefined &&
    second === first + 1 &&
    a[first] === b[second] &&
    a[second] === b[first]
  )
    return 'near_miss'
  return 'mismatch'
}

const nameFinding = (comparison: NameComparison): CheckFinding['outcome'] =>
  comparison.kind === 'exact' || comparison.kind === 'missing_names'
    ? 'pass'
    : comparison.kind === 'near_miss'
      ? 'inconclusive'
      : 'fail'

const SEVERITY = { pass: 0, inconclusive: 1, fail: 2 } as const

/**
 * The document's name and date of birth against the registration, as the session froze it at
 * submission. Same name once normalised, or middle names on one side only → pass; a near miss (typo,
 * another transliteration, day and month swapped) → a person looks; another name or date → declined.
 * Without document data this check has nothing to compare (the document-data check decides that case).
 */
export const identityConsistency: Check = {
  id: 'identity-consistency',
  version: '1',
  kind: 'identity',
  appliesTo: ({ sandbox, analysis }) => !sandbox && analysis.documentData !== undefined,
  run: ({ analysis, identity: submitted, user, config }): CheckFinding => {
    const document = analysis.documentData
    if (!document) return { outcome: 'inconclusive' }
    const identity = submitted?.snapshot
    const registered = {
      firstName: identity ? identity.firstName : user.first_name,
      lastName: identity ? identity.lastName : user.last_name,
      dateOfBirth: identity ? identity.dateOfBirth : user.date_of_birth,
    }
    const evidence = {
      registered,
      document: {
        givenNames: document.givenNames,
        surname: document.surname,
        dateOfBirth: document.dateOfBirth,
        source: document.source,
      },
      nearMissThreshold: config.NAME_NEAR_MISS_THRESHOLD,
    }
    // Nothing to compare on one side: a person looks rather than the machine passing it.
    if (!registered.lastName || !document.surname || !registered.dateOfBirth || !document.dateOfBirth)
      return { outcome: 'inconclusive', evidence: { ...evidence, incomplete: true } }

    const name = compareNames(
      { given: registered.firstName, family: registered.lastName },
      { given: document.givenNames, family: document.surname },
      config.NAME_NEAR_MISS_THRESHOLD,
    )
    const date = compareDates(registered.dateOfBirth, document.dateOfBirth)
    const nameOutcome = nameFinding(name)
    const dateOutcome = date === 'same' ? 'pass' : date === 'near_miss' ? 'inconclusive' : 'fail'
    const outcome = SEVERITY[nameOutcome] >= SEVERITY[dateOutcome] ? nameOutcome : dateOutcome
    const findings = { ...evidence, name, dateOfBirth: date }
    if (outcome === 'pass') return { outcome, score: name.score, evidence: findings }
    // The reason of the worse finding; a name problem first when both are as bad.
    const reason =
      nameOutcome === outcome
        ? outcome === 'fail'
          ? 'NAME_MISMATCH'
          : 'NAME_NEAR_MISS'
        : outcome === 'fail'
          ? 'DOB_MISMATCH'
          : 'DOB_NEAR_MISS'
    return { outcome, reason, score: name.score, evidence: findings }
  },
}
