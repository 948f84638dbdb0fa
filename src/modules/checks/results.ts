import type { Queryable, RegionDatabase } from '../../db/database.ts'
import { isoTime } from '../../lib/clock.ts'
import { seal, unseal } from '../../lib/crypto.ts'
import type { Keys } from '../../lib/keys.ts'
import type { CheckResult } from './check.ts'
import { checkResultsOf, saveCheckResults } from './repo.ts'

// Evidence is sealed bound to its session and check: copied onto another row, it does not open.
const evidenceBinding = (sessionId: string, checkId: string) => `${sessionId}:${checkId}`

/** Stores a run's results, evidence sealed; called inside the decision's transaction. */
export const saveResults = (
  trx: Queryable,
  keys: Pick<Keys, 'checkEvidence'>,
  sessionId: string,
  results: CheckResult[],
  at: number,
) =>
  saveCheckResults(
    trx,
    results.map((result) => ({
      session_id: sessionId,
      check_id: result.id,
      check_version: result.version,
      outcome: result.outcome,
      reason_code: result.reason ?? null,
      score: result.score ?? null,
      evidence_sealed: result.evidence
        ? seal(keys.checkEvidence, JSON.stringify(result.evidence), evidenceBinding(sessionId, result.id))
        : null,
      created_at: at,
    })),
  )

/** The stored results of a session's checks, evidence opened, for reviewers. */
export const checkResultsFor = async (
  keys: Pick<Keys, 'checkEvidence'>,
  database: RegionDatabase,
  sessionId: string,
) =>
  (await checkResultsOf(database.db, sessionId)).map((row) => ({
    check: row.check_id,
    version: row.check_version,
    outcome: row.outcome,
    reason: row.reason_code,
    score: row.score,
    evidence:
      row.evidence_sealed === null
        ? null
        : (JSON.parse(
            unseal(keys.checkEvidence, row.evidence_sealed, evidenceBinding(sessionId, row.check_id)),
          ) as Record<string, unknown>),
    at: isoTime(row.created_at),
  }))
