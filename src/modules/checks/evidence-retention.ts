import { type JobDefinition, NO_PAYLOAD, type RecurringJob } from '../../jobs/definitions.ts'
import { HOUR_MS } from '../../lib/clock.ts'
import { seal } from '../../lib/crypto.ts'
import type { Keys } from '../../lib/keys.ts'
import { replaceEvidence, resultsToRedact } from './repo.ts'
import { evidenceBinding, openEvidence } from './results.ts'

const BATCH = 200

// The document's own text (a bill's) and every picture: crops, thumbnails, the MRZ band.
const REDACTED_KEYS = new Set(['text', 'crop', 'portraitCrop', 'selfieCrop', 'thumbnail', 'bandJpeg'])
// Base64 JPEG, PNG or a data URL: a picture under any other name is dropped too.
const PICTURE = /^(\/9j\/|iVBORw0KGgo|data:image\/)/

/**
 * The evidence without what only the images (and the bill) held: the extracted fields, scores, reasons
 * and thresholds stay with the decision, as the audit record; pictures and document text go.
 */
export const withoutPictures = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(withoutPictures)
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(
    Object.entries(value)
      .filter(
        ([key, inner]) => !REDACTED_KEYS.has(key) && !(typeof inner === 'string' && PICTURE.test(inner)),
      )
      .map(([key, inner]) => [key, withoutPictures(inner)]),
  )
}

/**
 * Once a session's documents were purged (their retention is over: documents.purge), the check
 * evidence loses its copies of them too: face crops, thumbnails, the MRZ band, the bill's text. A
 * picture must not outlive the photo it was cut from.
 */
export const redactEvidenceJob = (keys: Pick<Keys, 'checkEvidence'>): JobDefinition => ({
  type: 'checks.redact-evidence',
  payload: NO_PAYLOAD,
  async handle(_payload, { database, clock, log, signal }) {
    let redacted = 0
    while (!signal.aborted) {
      const due = await resultsToRedact(database.db, BATCH)
      if (due.length === 0) break
      for (const row of due) {
        const evidence = withoutPictures(openEvidence(keys, row))
        const sealed = seal(
          keys.checkEvidence,
          JSON.stringify(evidence),
          evidenceBinding(row.session_id, row.check_id),
        )
        await replaceEvidence(database.db, row, sealed, clock.now())
      }
      redacted += due.length
    }
    if (redacted > 0) log.info({ redacted }, 'removed pictures from check evidence past retention')
  },
})

export const redactEvidenceSchedule: RecurringJob = { type: 'checks.redact-evidence', everyMs: HOUR_MS }
