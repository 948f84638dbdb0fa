import type { Transaction } from 'kysely'
import type { Databases, Queryable, RegionDatabase } from '../../db/database.ts'
import type { DB, ScreeningAlertRow, ScreeningAlertStatus } from '../../db/schema.ts'
import { isoTime } from '../../lib/clock.ts'
import { seal, unseal } from '../../lib/crypto.ts'
import { AppError } from '../../lib/errors.ts'
import { newId } from '../../lib/ids.ts'
import type { Keys } from '../../lib/keys.ts'
import { alertsByStatus, findAlert, insertAlerts, resolveAlert } from './repo.ts'
import type { ScreenedPerson, ScreeningHit } from './screening.ts'

/**
 * Alerts: sanctions hits on users who were already verified, found by re-screening after an import.
 * An alert changes nobody's verification state: it waits for a person, who clears it (not the listed
 * person) or confirms it, and whichever they say is recorded with who said it.
 */
const binding = (alertId: string) => `screening_alert:${alertId}`

export type AlertEvidence = { hit: ScreeningHit; screened: ScreenedPerson }

/** Opens an alert per hit; hits already raised for this user and entry (open or resolved) stay as they are. */
export const openScreeningAlerts = (
  db: Queryable,
  keys: Pick<Keys, 'checkEvidence'>,
  alert: { clientId: string; userId: string; listVersionId: string; screened: ScreenedPerson },
  hits: readonly ScreeningHit[],
  at: number,
): Promise<number> =>
  insertAlerts(
    db,
    hits.map((hit) => {
      const id = newId('screeningAlert')
      const evidence: AlertEvidence = { hit, screened: alert.screened }
      return {
        id,
        client_id: alert.clientId,
        user_id: alert.userId,
        list_name: hit.list,
        entry_reference: hit.reference,
        list_version_id: hit.versionId,
        score: hit.score,
        evidence_sealed: seal(keys.checkEvidence, JSON.stringify(evidence), binding(id)),
        status: 'open',
        created_at: at,
        resolved_at: null,
        resolved_by: null,
        resolution_note: null,
      }
    }),
  )

const describeAlert = (
  keys: Pick<Keys, 'checkEvidence'>,
  region: RegionDatabase['region'],
  row: ScreeningAlertRow,
) => ({
  alertId: row.id,
  region,
  clientId: row.client_id,
  userId: row.user_id,
  list: row.list_name,
  entry: row.entry_reference,
  score: row.score,
  status: row.status,
  raisedAt: isoTime(row.created_at),
  resolvedAt: isoTime(row.resolved_at),
  resolvedBy: row.resolved_by,
  note: row.resolution_note,
  evidence: JSON.parse(unseal(keys.checkEvidence, row.evidence_sealed, binding(row.id))) as AlertEvidence,
})

export type ScreeningAlert = ReturnType<typeof describeAlert>

/** Alerts in the given statuses across regions, oldest first. */
export const listScreeningAlerts = async (
  deps: { databases: Databases; keys: Pick<Keys, 'checkEvidence'> },
  statuses: readonly ScreeningAlertStatus[],
  limit = 100,
): Promise<ScreeningAlert[]> => {
  const perRegion = await Promise.all(
    deps.databases.all.map(async (database) =>
      (await alertsByStatus(database.db, statuses, limit)).map((row) =>
        describeAlert(deps.keys, database.region, row),
      ),
    ),
  )
  return perRegion
    .flat()
    .sort((a, b) => (a.raisedAt ?? '').localeCompare(b.raisedAt ?? '') || a.alertId.localeCompare(b.alertId))
    .slice(0, limit)
}

/**
 * Records a person's resolution of an open alert: `cleared` (another person than the one listed) or
 * `confirmed` (the listed person). Refused (409) when the alert is not open any more. `record` runs in
 * the resolution's transaction (the reviewer's audit entry), and only when the alert was resolved.
 */
export const resolveScreeningAlert = async (
  deps: { databases: Databases; keys: Pick<Keys, 'checkEvidence'>; clock: { now(): number } },
  alertId: string,
  resolution: { status: 'cleared' | 'confirmed'; reviewer: string; note: string | null },
  record?: (trx: Transaction<DB>, database: RegionDatabase, alert: ScreeningAlertRow) => Promise<void>,
): Promise<ScreeningAlert> => {
  for (const database of deps.databases.all) {
    const row = await findAlert(database.db, alertId.trim())
    if (!row) continue
    const resolved = await database.db.transaction().execute(async (trx) => {
      const done = await resolveAlert(trx, row.id, {
        status: resolution.status,
        at: deps.clock.now(),
        by: resolution.reviewer,
        note: resolution.note,
      })
      if (done) await record?.(trx, database, row)
      return done
    })
    if (!resolved) throw new AppError('CONFLICT', { message: `Alert ${row.id} is not open` })
    return describeAlert(
      deps.keys,
      database.region,
      (await findAlert(database.db, row.id)) as ScreeningAlertRow,
    )
  }
  throw new AppError('NOT_FOUND', { message: `No screening alert ${alertId}` })
}
