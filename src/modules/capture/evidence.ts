import type { Queryable } from '../../db/database.ts'
import type { DocumentSlot, DocumentType } from '../../db/schema.ts'
import type { DocumentVault } from '../documents/index.ts'
import { documentsOf, progressOf } from './repo.ts'

/** A submission's files, decrypted, with what the flow recorded about them: what the checks read. */
export type SubmittedEvidence = {
  documentType: DocumentType | null
  issuingCountry: string | null
  files: Partial<Record<DocumentSlot, { mediaType: string; bytes: Uint8Array }>>
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
  const [progress, documents] = await Promise.all([progressOf(db, sessionId), documentsOf(db, sessionId)])
  const files: SubmittedEvidence['files'] = {}
  for (const document of documents) {
    if (document.purged_at !== null) continue
    const bytes = await deps.vault.get(document.id, {
      storageKey: document.storage_key,
      wrappedKey: document.wrapped_key,
      sha256: document.sha256,
    })
    files[document.slot] = { mediaType: document.media_type, bytes: new Uint8Array(bytes) }
  }
  return {
    documentType: progress?.document_type ?? null,
    issuingCountry: progress?.issuing_country ?? null,
    files,
  }
}
