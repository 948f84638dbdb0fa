import type { RegionDatabase } from '../../db/database.ts'
import { stateHistory } from './repo.ts'

/** Every verificationState change of a user with its cause: what a compliance officer asks first. */
export const verificationHistory = async (database: RegionDatabase, userId: string) =>
  (await stateHistory(database.db, userId)).map((step) => ({
    version: step.version,
    from: step.from_state,
    to: step.to_state,
    cause: step.cause,
    sessionId: step.session_id,
    reasons: JSON.parse(step.reasons) as unknown[],
    identityDigest: step.identity_digest,
    at: new Date(step.created_at).toISOString(),
  }))
