import { currentScreeningIndex, screenPerson } from '../sanctions/index.ts'
import type { Check } from './check.ts'
import { screenedPersonOfSubmission } from './screened-person.ts'

export const SANCTIONS_CHECK_ID = 'sanctions-screening'

/**
 * Screens the registered name and the document's name against every imported list. A match or a
 * possible match goes to a person with the list entry, the scores and the matched tokens (a person
 * confirms a hit: the console's four-eyes rule); a clear name passes with its best score. Without any
 * imported list the machine cannot vouch that nobody is listed, so a person decides.
 */
export const sanctionsScreening: Check = {
  id: SANCTIONS_CHECK_ID,
  version: '1',
  kind: 'screening',
  appliesTo: ({ sandbox }) => !sandbox,
  run: async (context) => {
    const screened = screenedPersonOfSubmission(context)
    const index = await currentScreeningIndex(context.databases.home.db)
    const thresholds = {
      alert: context.config.SANCTIONS_ALERT_THRESHOLD,
      review: context.config.SANCTIONS_REVIEW_THRESHOLD,
    }
    if (index.lists.length === 0)
      return { outcome: 'inconclusive', reason: 'SCREENING_UNAVAILABLE', evidence: { screened, lists: [] } }
    const result = screenPerson(index, screened, thresholds)
    const evidence = {
      screened,
      thresholds,
      lists: result.lists,
      topScore: result.topScore,
      hits: result.hits,
    }
    if (result.outcome === 'match')
      return { outcome: 'inconclusive', reason: 'SANCTIONS_MATCH', score: result.topScore, evidence }
    if (result.outcome === 'possible')
      return { outcome: 'inconclusive', reason: 'SANCTIONS_POSSIBLE_MATCH', score: result.topScore, evidence }
    return { outcome: 'pass', score: result.topScore, evidence }
  },
}
