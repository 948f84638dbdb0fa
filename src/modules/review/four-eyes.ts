import type { ReviewAction } from '../../db/schema.ts'

/**
 * What the checks may have found that makes an approval a second person's call too: a name on a
 * sanctions list (certain or possible) or an identity another user of the client already holds.
 */
export const FOUR_EYES_FINDINGS: ReadonlySet<string> = new Set([
  'SANCTIONS_MATCH',
  'SANCTIONS_POSSIBLE_MATCH',
  'DUPLICATE_IDENTITY',
])

/**
 * The four-eyes rule (issue #13 item 4): rejecting someone as a sanctioned person, or letting through
 * someone the checks matched to a list or to another user, takes effect only once a second person
 * confirms it. Both are the decisions whose mistake costs most (a person wrongly reported, or a listed
 * person or a second account admitted); every other decision, new photos included, is one person's.
 */
export const needsSecondPerson = (
  action: ReviewAction,
  reasonCode: string | null,
  findings: readonly string[],
): boolean =>
  (action === 'reject' && reasonCode === 'SANCTIONS_MATCH') ||
  (action === 'approve' && findings.some((code) => FOUR_EYES_FINDINGS.has(code)))
