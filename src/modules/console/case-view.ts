import type { SessionDocument } from '../capture/index.ts'
import type { showCase } from '../review/index.ts'
import type { CaseView, Comparison, DuplicateHolder, ProofOfAddressView } from './pages.ts'

type ShownCase = Awaited<ReturnType<typeof showCase>>

type FaceEvidence = {
  similarity?: number | null
  thresholds?: { match?: number }
  selfieCrop?: string | null
  portraitCrop?: string | null
}

type IdentityEvidence = {
  registered?: { firstName?: string | null; lastName?: string | null; dateOfBirth?: string | null }
  document?: { givenNames?: string | null; surname?: string | null; dateOfBirth?: string | null }
  /** The checks' own findings: names compared after transliteration, with the near-miss rule. */
  name?: { kind?: string; score?: number }
  dateOfBirth?: string
}

const evidenceOf = <T>(shown: ShownCase, check: string): T | undefined =>
  (shown.checks.find((each) => each.check === check)?.evidence ?? undefined) as T | undefined

/**
 * The other users of the client the duplicate check found holding the same document or SSN, or null
 * when the check did not run on this case.
 */
export const duplicateHoldersOf = (shown: ShownCase): DuplicateHolder[] | null => {
  if (!shown.checks.some((each) => each.check === 'duplicate-identity')) return null
  return evidenceOf<{ holders?: DuplicateHolder[] }>(shown, 'duplicate-identity')?.holders ?? []
}

/** The check's own record of the holders the console kept (those of the case's client). */
const sameClientHolders = (shown: ShownCase, kept: DuplicateHolder[]) => {
  const keptIds = new Set(kept.map((holder) => holder.userId))
  return (duplicateHoldersOf(shown) ?? []).filter((holder) => keptIds.has(holder.userId))
}

type AddressEvidence = {
  statementDate?: string | null
  oldestAccepted?: string
  registered?: { name?: string }
  name?: { found?: boolean; score?: number; words?: { word: string; seenAs: string | null }[] }
}

/** The date and the name the proof-of-address check read off the bill, when it ran. */
export const proofOfAddressOf = (shown: ShownCase): ProofOfAddressView | null => {
  const result = shown.checks.find((each) => each.check === 'proof-of-address')
  if (!result) return null
  const evidence = (result.evidence ?? {}) as AddressEvidence
  const seen = evidence.name?.words?.map((word) => word.seenAs).filter((word) => word !== null) ?? []
  return {
    outcome: result.outcome,
    reason: result.reason,
    statementDate: evidence.statementDate ?? null,
    oldestAccepted: evidence.oldestAccepted ?? null,
    registeredName: evidence.registered?.name ?? null,
    name: evidence.name
      ? {
          found: evidence.name.found === true,
          score: evidence.name.score ?? null,
          asRead: seen.length > 0 ? seen.join(' ') : null,
        }
      : null,
  }
}

const joined = (...parts: (string | null | undefined)[]) => parts.filter(Boolean).join(' ') || null

/**
 * The data read off the document beside the registered data, marked with the identity check's own
 * finding (a near miss is neither the same nor a mismatch: a person judges it).
 */
export const comparisonOf = (evidence: IdentityEvidence | undefined): Comparison[] => {
  if (!evidence?.registered || !evidence.document) return []
  const { registered, document } = evidence
  const nameSame = { exact: true, mismatch: false } as Record<string, boolean>
  const dateSame = { same: true, mismatch: false } as Record<string, boolean>
  return [
    {
      field: 'Name',
      registered: joined(registered.firstName, registered.lastName),
      document: joined(document.givenNames, document.surname),
      same: nameSame[evidence.name?.kind ?? ''] ?? null,
    },
    {
      field: 'Date of birth',
      registered: registered.dateOfBirth ?? null,
      document: document.dateOfBirth ?? null,
      same: dateSame[evidence.dateOfBirth ?? ''] ?? null,
    },
  ]
}

/** What the case page shows, from the review module's case and the session's files. */
export const caseView = (
  shown: ShownCase,
  documents: SessionDocument[],
  assignment: CaseView['assignment'],
  lookedUp: { duplicates: CaseView['duplicates']; pdfPages: CaseView['pdfPages']; maxPdfPages: number },
): CaseView => {
  const faces = evidenceOf<FaceEvidence>(shown, 'face-match')
  const { stateHistory, checkedIdentity: _checked, ...account } = shown.user
  return {
    sessionId: shown.sessionId,
    region: shown.region,
    clientId: shown.clientId,
    userId: shown.userId,
    submittedAt: shown.submittedAt,
    waitingSeconds: shown.waitingSeconds,
    reasons: shown.reasons,
    status: shown.status,
    outcome: shown.outcome,
    awaitingDecision: shown.outcome === null || shown.outcome === 'review',
    decidedAt: shown.decidedAt,
    account,
    history: stateHistory,
    checks: shown.checks.map((check) => ({
      check: check.check,
      version: check.version,
      outcome: check.outcome,
      reason: check.reason,
      score: check.score,
      // The evidence table names no other holder than the section above links (same client only), as
      // the check saw them (the section shows their state now).
      evidence:
        check.check === 'duplicate-identity' && lookedUp.duplicates !== null && check.evidence
          ? { ...check.evidence, holders: sameClientHolders(shown, lookedUp.duplicates) }
          : check.evidence,
    })),
    reviews: shown.reviews,
    faces: {
      portraitCrop: faces?.portraitCrop ?? null,
      selfieCrop: faces?.selfieCrop ?? null,
      similarity: faces?.similarity ?? null,
      match: faces?.thresholds?.match ?? null,
    },
    assignment,
    comparison: comparisonOf(evidenceOf<IdentityEvidence>(shown, 'identity-consistency')),
    documents,
    pdfPages: lookedUp.pdfPages,
    maxPdfPages: lookedUp.maxPdfPages,
    proofOfAddress: proofOfAddressOf(shown),
    duplicates: lookedUp.duplicates,
    pendingDecision: shown.pendingDecision,
  }
}
