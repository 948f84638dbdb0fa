import { type JobDefinition, NO_PAYLOAD, type RecurringJob } from '../../jobs/definitions.ts'
import { DAY_MS, HOUR_MS } from '../../lib/clock.ts'
import { documentsPastRetention, markPurged } from './repo.ts'
import type { DocumentVault } from './vault.ts'

const BATCH = 200

/**
 * Destroys document images once their retention period is over: counted from the session's decision,
 * or from its expiry when it was never submitted. A session waiting for a decision (checks or manual
 * review) keeps its documents. The wrapped key is erased first, in the database: from that moment the
 * object is unreadable wherever a copy of it survives (crypto-shredding), so a failed file deletion
 * cannot leave a readable image. The row stays, with its hash, as the audit record.
 */
export const purgeDocumentsJob = (vault: DocumentVault, retentionDays: number): JobDefinition => ({
  type: 'documents.purge',
  payload: NO_PAYLOAD,
  async handle(_payload, { database, clock, log, signal }) {
    const cutoff = clock.now() - retentionDays * DAY_MS
    let purged = 0
    while (!signal.aborted) {
      const due = await documentsPastRetention(database.db, cutoff, BATCH)
      if (due.length === 0) break
      await markPurged(
        database.db,
        due.map((row) => row.id),
        clock.now(),
      )
      await Promise.all(due.map((row) => vault.delete(row.storage_key)))
      purged += due.length
    }
    if (purged > 0) log.info({ purged }, 'purged document images past retention')
  },
})

export const purgeDocumentsSchedule: RecurringJob = { type: 'documents.purge', everyMs: HOUR_MS }
