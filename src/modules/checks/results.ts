import type { Queryable, RegionDatabase } from '../../db/database.ts'
import type { CheckResultRow } from '../../db/schema.ts'
import { isoTime } from '../../lib/clock.ts'
import { seal, unseal } from '../../lib/crypto.ts'
import type { Keys } from '../../lib/keys.ts'
import type { CheckResult } from './check.ts'
import { checkResultsOf, saveCheckResults } from './repo.ts'

// Evidence is sealed bound to its session and check: copied onto another row, it does not open.
export const evidenceBinding = (sessionId: string, checkId: string) => `${sessionId}:${checkId}`

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

/** A stored result's evidence, opened. */
export const openEvidence = (
  keys: Pick<Keys, 'checkEvidence'>,
  row: Pick<CheckResultRow, 'session_id' | 'check_id' | 'evidence_sealed'>,
): Record<string, unknown> | null =>
  row.evidence_sealed === null
    ? null
    : (JSON.parse(
        unseal(keys.checkEvidence, row.evidence_sealed, evidenceBinding(row.session_id, row.check_id)),
      ) as Record<string, unknown>)

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
    evidence: openEvidence(keys, row),
    at: isoTime(row.created_at),
  }))
