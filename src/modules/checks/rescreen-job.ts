import type { Config } from '../../config/config.ts'
import type { Databases } from '../../db/database.ts'
import type { UserRow } from '../../db/schema.ts'
import type { JobDefinition } from '../../jobs/definitions.ts'
import { enqueueJob } from '../../jobs/queue.ts'
import type { Keys } from '../../lib/keys.ts'
import { findClient } from '../clients/index.ts'
import {
  currentScreeningIndex,
  isCurrentListVersion,
  openScreeningAlerts,
  rescreenVerifiedUsers,
  type ScreenedPerson,
  screenPerson,
} from '../sanctions/index.ts'
import { verifiedUsersAfter } from '../users/index.ts'
import { latestApprovedResultOf } from './repo.ts'
import { openEvidence } from './results.ts'
import { SANCTIONS_CHECK_ID } from './sanctions.ts'
import { registeredOf, screenedPerson } from './screened-person.ts'

/** Users screened per run: a run stays well inside the job lease, and a retry repeats one batch only. */
export const RESCREEN_BATCH = 200

type Payload = { listVersionId: string; region: 'intl' | 'us'; afterUserId: string | null }

/**
 * Re-screens a region's VERIFIED users of live clients after an import (sanctions.rescreen, queued by
 * the import in the home database): what their approving submission screened (registered and document
 * names, birth dates, nationalities), else their registered data. A hit opens an alert in the user's
 * region for a person to resolve (unless the person who approved the submission already saw that very
 * entry among its hits); nobody's verification state changes here. Idempotent: an alert exists
 * once per user and entry, and the next batch is queued in the same transaction that completes this one.
 */
export const rescreenVerifiedUsersJob = (
  databases: Databases,
  deps: { config: Config; keys: Pick<Keys, 'checkEvidence'> },
): JobDefinition<Payload> => ({
  ...rescreenVerifiedUsers,
  async handle({ listVersionId, region, afterUserId }, { database, clock, log, completeWith }) {
    // A newer import of the list queued its own re-screening, against what is current then.
    if (!(await isCurrentListVersion(databases.home, listVersionId))) return
    const target = databases.byRegion[region]
    const users = await verifiedUsersAfter(target.db, afterUserId, RESCREEN_BATCH)
    const index = await currentScreeningIndex(databases.home.db)
    const thresholds = {
      alert: deps.config.SANCTIONS_ALERT_THRESHOLD,
      review: deps.config.SANCTIONS_REVIEW_THRESHOLD,
    }
    const liveClients = new Map<string, boolean>()
    const isLive = async (clientId: string) => {
      if (!liveClients.has(clientId))
        liveClients.set(clientId, (await findClient(databases.home.db, { id: clientId }))?.mode === 'live')
      return liveClients.get(clientId) as boolean
    }
    // What the approving submission screened, and the hits the person who approved it already saw.
    const approvalOf = async (user: UserRow) => {
      const approved = await latestApprovedResultOf(target.db, user.id, SANCTIONS_CHECK_ID)
      const evidence = approved ? openEvidence(deps.keys, approved) : null
      const seen = (evidence?.hits as { list: string; reference: string }[] | undefined) ?? []
      return {
        screened:
          (evidence?.screened as ScreenedPerson | undefined) ?? screenedPerson(registeredOf(user), undefined),
        seen: new Set(seen.map((hit) => `${hit.list}:${hit.reference}`)),
      }
    }
    let screenedUsers = 0
    let opened = 0
    for (const user of users) {
      if (!(await isLive(user.client_id))) continue
      const { screened, seen } = await approvalOf(user)
      const hits = screenPerson(index, screened, thresholds).hits.filter(
        (hit) => !seen.has(`${hit.list}:${hit.reference}`),
      )
      screenedUsers++
      if (hits.length === 0) continue
      opened += await openScreeningAlerts(
        target.db,
        deps.keys,
        { clientId: user.client_id, userId: user.id, listVersionId, screened },
        hits,
        clock.now(),
      )
    }
    const last = users.at(-1)
    if (users.length === RESCREEN_BATCH && last) {
      await database.db.transaction().execute(async (trx) => {
        await enqueueJob(
          trx,
          clock,
          rescreenVerifiedUsers,
          { listVersionId, region, afterUserId: last.id },
          { dedupeKey: `sanctions.rescreen:${listVersionId}:${region}:${last.id}` },
        )
        await completeWith(trx)
      })
    }
    log.info(
      { listVersionId, region, screened: screenedUsers, alertsOpened: opened },
      'verified users re-screened',
    )
  },
})
