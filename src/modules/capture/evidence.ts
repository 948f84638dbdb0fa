import type { Queryable } from '../../db/database.ts'
import type {
  ChallengeStep,
  DocumentFileRow,
  DocumentSlot,
  DocumentType,
  StoredSlot,
} from '../../db/schema.ts'
import type { DocumentVault } from '../documents/index.ts'
import { completedFrames, isChallengeSlot, stepsOf } from './challenge.ts'
import { currentChallengeOf, documentsOf, progressOf } from './repo.ts'

/** A submission's files, decrypted, with what the flow recorded about them: what the checks read. */
export type SubmittedFile = { mediaType: string; bytes: Uint8Array }

export type SubmittedEvidence = {
  documentType: DocumentType | null
  issuingCountry: string | null
  files: Partial<Record<DocumentSlot, SubmittedFile>>
  /**
   * The live selfie's active challenge, when it was answered for the stored selfie: the poses asked
   * for and one frame per pose, in that order. Absent otherwise (no camera, never answered, purged).
   */
  challenge?: { steps: ChallengeStep[]; frames: SubmittedFile[] }
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
  const open = async (document: DocumentFileRow): Promise<SubmittedFile> => {
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

/**
 * One upload, decrypted, for the feedback on it; `undefined` once it was replaced by a retake, purged,
 * or its session was submitted (the submission's own checks then speak).
 */
export const uploadedFile = async (
  deps: { vault: DocumentVault },
  db: Queryable,
  sessionId: string,
  documentId: string,
): Promise<(Omit<SubmittedEvidence, 'files'> & { slot: DocumentSlot; file: SubmittedFile }) | undefined> => {
  const [progress, documents] = await Promise.all([progressOf(db, sessionId), documentsOf(db, sessionId)])
  const document = documents.find((each) => each.id === documentId)
  if (!document || document.purged_at !== null || !progress || isChallengeSlot(document.slot))
    return undefined
  const bytes = await deps.vault.get(document.id, {
    storageKey: document.storage_key,
    wrappedKey: document.wrapped_key,
    sha256: document.sha256,
  })
  return {
    documentType: progress.document_type,
    issuingCountry: progress.issuing_country,
    slot: document.slot,
    file: { mediaType: document.media_type, bytes: new Uint8Array(bytes) },
  }
}

/** The document now in a step's slot, if any. */
export const currentUploadId = async (db: Queryable, sessionId: string, slot: DocumentSlot) =>
  (await documentsOf(db, sessionId)).find((document) => document.slot === slot)?.id

/** What a reviewer is told of one of a session's files before opening it (no bytes). */
export type SessionDocument = {
  id: string
  slot: StoredSlot
  mediaType: string
  sha256: string
  byteSize: number
  width: number | null
  height: number | null
  uploadedAt: number
  purged: boolean
}

const toSessionDocument = (row: DocumentFileRow): SessionDocument => ({
  id: row.id,
  slot: row.slot,
  mediaType: row.media_type,
  sha256: row.sha256,
  byteSize: row.byte_size,
  width: row.width,
  height: row.height,
  uploadedAt: row.created_at,
  purged: row.purged_at !== null,
})

/** A session's stored files, the challenge frames among them, in upload order. */
export const sessionDocuments = async (db: Queryable, sessionId: string): Promise<SessionDocument[]> =>
  (await documentsOf(db, sessionId))
    .sort((a, b) => a.created_at - b.created_at || a.id.localeCompare(b.id))
    .map(toSessionDocument)

/**
 * One of a session's files, decrypted, for a reviewer; `undefined` when the session has no such file
 * or it was purged. The file must belong to the session named: a document id alone opens nothing.
 */
export const openSessionDocument = async (
  deps: { vault: DocumentVault },
  db: Queryable,
  sessionId: string,
  documentId: string,
): Promise<{ document: SessionDocument; bytes: Buffer } | undefined> => {
  const row = (await documentsOf(db, sessionId)).find((each) => each.id === documentId)
  if (!row || row.purged_at !== null) return undefined
  const bytes = await deps.vault.get(row.id, {
    storageKey: row.storage_key,
    wrappedKey: row.wrapped_key,
    sha256: row.sha256,
  })
  return { document: toSessionDocument(row), bytes: Buffer.from(bytes) }
}
