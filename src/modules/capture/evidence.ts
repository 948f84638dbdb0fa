import type { Queryable } from '../../db/database.ts'
import type { ChallengeStep, DocumentFileRow, DocumentSlot, DocumentType } from '../../db/schema.ts'
import type { DocumentVault } from '../documents/index.ts'
import { completedFrames, isChallengeSlot, stepsOf } from './challenge.ts'
import { currentChallengeOf, documentsOf, progressOf } from './repo.ts'

type OpenedFile = { mediaType: string; bytes: Uint8Array }

/** A submission's files, decrypted, with what the flow recorded about them: what the checks read. */
export type SubmittedEvidence = {
  documentType: DocumentType | null
  issuingCountry: string | null
  files: Partial<Record<DocumentSlot, OpenedFile>>
  /**
   * The live selfie's active challenge, when it was answered for the stored selfie: the poses asked
   * for and one frame per pose, in that order. Absent otherwise (no camera, never answered, purged).
   */
  challenge?: { steps: ChallengeStep[]; frames: OpenedFile[] }
}

/**
 * Opens a session's uploads for the checks. A purged file (retention over) is absent rather than an
 * error: the checks then find the evidence missing and the case goes to a person.
 */
export const submittedEvidence = async (
  deps: { vault: DocumentVault },
  db: Queryable,
  sessionId: string,
): Promise<SubmittedEvidence> => {
  const [progress, documents, challenge] = await Promise.all([
    progressOf(db, sessionId),
    documentsOf(db, sessionId),
    currentChallengeOf(db, sessionId),
  ])
  const open = async (document: DocumentFileRow): Promise<OpenedFile> => {
    const bytes = await deps.vault.get(document.id, {
      storageKey: document.storage_key,
      wrappedKey: document.wrapped_key,
      sha256: document.sha256,
    })
    return { mediaType: document.media_type, bytes: new Uint8Array(bytes) }
  }
  const files: SubmittedEvidence['files'] = {}
  for (const document of documents) {
    if (document.purged_at !== null || isChallengeSlot(document.slot)) continue
    files[document.slot] = await open(document)
  }
  const frames = completedFrames(challenge, documents)
  const answered =
    challenge && frames?.every((frame) => frame.purged_at === null)
      ? { steps: stepsOf(challenge), frames: await Promise.all(frames.map(open)) }
      : undefined
  return {
    documentType: progress?.document_type ?? null,
    issuingCountry: progress?.issuing_country ?? null,
    files,
    ...(answered ? { challenge: answered } : {}),
  }
}
