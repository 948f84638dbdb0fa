import { createHash } from 'node:crypto'
import type { AuditEntry, ChainVerification } from '../audit/index.ts'
import type { SessionDocument } from '../capture/index.ts'
import type { showCase } from '../review/index.ts'

type ShownCase = Awaited<ReturnType<typeof showCase>>

/** A picture in the evidence (a face crop, a thumbnail) stands in the export as its SHA-256 only. */
const withImagesHashed = (value: unknown, key = ''): unknown => {
  if (typeof value === 'string' && (key.endsWith('Crop') || key === 'crop' || key.endsWith('Jpeg')))
    return { sha256: createHash('sha256').update(Buffer.from(value, 'base64')).digest('hex') }
  if (Array.isArray(value)) return value.map((item) => withImagesHashed(item))
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([name, item]) => [name, withImagesHashed(item, name)]),
    )
  return value
}

/**
 * One case's evidence as an auditor takes it away (issue #13 item 5): the decision and its reasons, the
 * reviews, every check's result and evidence (pictures as their hashes), the files' hashes, the audit
 * entries about the case and its files, and whether the region's audit chain verified when it was made.
 */
export const caseEvidence = (input: {
  shown: ShownCase
  documents: SessionDocument[]
  audit: AuditEntry[]
  chain: ChainVerification
  exportedAt: string
  exportedBy: { staffId: string; email: string }
}) => ({
  format: 'verity.case-evidence/1',
  exportedAt: input.exportedAt,
  exportedBy: input.exportedBy,
  case: {
    sessionId: input.shown.sessionId,
    region: input.shown.region,
    clientId: input.shown.clientId,
    userId: input.shown.userId,
    status: input.shown.status,
    outcome: input.shown.outcome,
    submittedAt: input.shown.submittedAt,
    decidedAt: input.shown.decidedAt,
    reasons: input.shown.reasons,
  },
  reviews: input.shown.reviews,
  checks: input.shown.checks.map((check) => ({ ...check, evidence: withImagesHashed(check.evidence) })),
  files: input.documents.map((document) => ({
    id: document.id,
    slot: document.slot,
    mediaType: document.mediaType,
    sha256: document.sha256,
    byteSize: document.byteSize,
    uploadedAt: new Date(document.uploadedAt).toISOString(),
    purged: document.purged,
  })),
  audit: input.audit,
  auditChain: input.chain,
})
