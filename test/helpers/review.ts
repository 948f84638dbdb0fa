import type { RegionDatabase } from '../../src/db/database.ts'
import { decide, type Reason, type StateWriterDeps } from '../../src/modules/verification/index.ts'

/**
 * What the checks do with a submission they cannot decide: it goes to a person (outcome `review`),
 * through the decision seam. Tests without a worker call it where the checks would have run; a person
 * may not approve a case the checks have not concluded on.
 */
export const checksSendToReview = (
  deps: StateWriterDeps,
  database: RegionDatabase,
  sessionId: string,
  reasons: Reason[] = [],
) => decide(deps, database, sessionId, { outcome: 'review', reasons }, undefined, { undecidedOnly: true })
