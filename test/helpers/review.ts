import { expect } from 'vitest'
import type { RegionDatabase } from '../../src/db/database.ts'
import {
  decide,
  type Reason,
  reason,
  type StateWriterDeps,
  submitSession,
} from '../../src/modules/verification/index.ts'
import { api } from './accounts.ts'
import type { TestApp } from './app.ts'
import { registerSandboxUser } from './capture.ts'
import { openLink } from './sessions.ts'

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

/**
 * A submitted session (live path, no worker: it stays undecided). With findings, it is sent to a
 * person with them the way the checks do, written directly: the real sanctions and duplicate checks
 * are tested elsewhere, here only what they leave on the session matters.
 */
export const caseInReview = async (
  t: TestApp,
  clientKey: string,
  findings: ('SANCTIONS_POSSIBLE_MATCH' | 'DUPLICATE_IDENTITY')[] = [],
) => {
  const user = await registerSandboxUser(t, clientKey, { firstName: 'Jane', lastName: 'Doe' })
  const started = await api(t.app, clientKey).get('/v1/user/verification', {
    authorization: `Bearer ${user.token}`,
  })
  const { sessionUrl, sessionId } = started.json() as { sessionUrl: string; sessionId: string }
  expect((await openLink(t.app, sessionUrl)).statusCode).toBe(303)
  await submitSession(t.runtime, user.database, sessionId, false)
  // The checks sent the case to a person, with what they found.
  await checksSendToReview(
    t.runtime,
    user.database,
    sessionId,
    findings.map((code) => reason(code)),
  )
  return { user, sessionId }
}
