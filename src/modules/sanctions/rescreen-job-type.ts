import { Type } from 'typebox'
import { REGIONS, type Region } from '../../db/database.ts'
import { jobType } from '../../jobs/definitions.ts'

/**
 * Re-screens the verified users of one region after a list import, a batch at a time: each run screens
 * the users after `afterUserId` and enqueues the next batch. Queued in the home database, in the import's
 * own transaction, so an import that commits always has its re-screening (the handler is the checks
 * module's: it reuses what the submission checks screened).
 */
export const rescreenVerifiedUsers = jobType(
  'sanctions.rescreen',
  Type.Object({
    listVersionId: Type.String(),
    region: Type.Unsafe<Region>({ type: 'string', enum: [...REGIONS] }),
    afterUserId: Type.Union([Type.String(), Type.Null()]),
  }),
)
