import type { Insertable } from 'kysely'
import type { Queryable } from '../../db/database.ts'
import type {
  CaptureProgressRow,
  DocumentFileRow,
  DocumentFileTable,
  SelfieChallengeRow,
  SelfieChallengeTable,
  StoredSlot,
} from '../../db/schema.ts'

export const progressOf = (db: Queryable, sessionId: string) =>
  db.selectFrom('capture_progress').selectAll().where('session_id', '=', sessionId).executeTakeFirst()

/** The progress row of a session, created on first use (concurrent first uses create one). */
export const ensureProgress = async (
  db: Queryable,
  sessionId: string,
  now: number,
): Promise<CaptureProgressRow> => {
  const existing = await progressOf(db, sessionId)
  if (existing) return existing
  await db
    .insertInto('capture_progress')
    .values({ session_id: sessionId, revision: 1, events: '[]', created_at: now, updated_at: now })
    .onConflict((conflict) => conflict.column('session_id').doNothing())
    .execute()
  return (await progressOf(db, sessionId)) as CaptureProgressRow
}

/**
 * Moves the flow to its next revision, only from the revision the accepted form was issued for: of two
 * submissions of one form (a replay, a double click, two tabs) exactly one gets through. False when the
 * flow was no longer at that revision.
 */
export const advanceRevision = async (
  db: Queryable,
  sessionId: string,
  expectedRevision: number,
  now: number,
  changes: Partial<
    Pick<
      CaptureProgressRow,
      'consented_at' | 'document_type' | 'issuing_country' | 'ssn_provided_at' | 'challenge_completed'
    >
  > = {},
): Promise<boolean> => {
  const result = await db
    .updateTable('capture_progress')
    .set({ ...changes, revision: expectedRevision + 1, updated_at: now })
    .where('session_id', '=', sessionId)
    .where('revision', '=', expectedRevision)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

/**
 * Counts `files` uploaded files before any work is done on them; false (nothing counted) when that
 * would pass `max`. Decoding a phone photo costs about half a second of CPU, so a session must not be a
 * way to make the server decode without end.
 */
export const countUploadAttempts = async (
  db: Queryable,
  sessionId: string,
  files: number,
  max: number,
): Promise<boolean> => {
  const result = await db
    .updateTable('capture_progress')
    .set((eb) => ({ upload_attempts: eb('upload_attempts', '+', files) }))
    .where('session_id', '=', sessionId)
    .where('upload_attempts', '<=', max - files)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

export const documentsOf = (db: Queryable, sessionId: string): Promise<DocumentFileRow[]> =>
  db.selectFrom('document_file').selectAll().where('session_id', '=', sessionId).execute()

export const deleteDocuments = (db: Queryable, sessionId: string, slots: readonly StoredSlot[]) =>
  db
    .deleteFrom('document_file')
    .where('session_id', '=', sessionId)
    .where('slot', 'in', slots)
    .returning(['storage_key'])
    .execute()

export const insertDocument = (db: Queryable, row: Insertable<DocumentFileTable>) =>
  db.insertInto('document_file').values(row).returningAll().executeTakeFirstOrThrow()

export const saveEvents = (db: Queryable, sessionId: string, events: { type: string; at: number }[]) =>
  db
    .updateTable('capture_progress')
    .set({ events: JSON.stringify(events) })
    .where('session_id', '=', sessionId)
    .execute()

export const findChallenge = (db: Queryable, id: string): Promise<SelfieChallengeRow | undefined> =>
  db.selectFrom('selfie_challenge').selectAll().where('id', '=', id).executeTakeFirst()

/** The session's current challenge (the one issued for its latest selfie), if any. */
export const currentChallengeOf = (
  db: Queryable,
  sessionId: string,
): Promise<SelfieChallengeRow | undefined> =>
  db
    .selectFrom('selfie_challenge')
    .selectAll()
    .where('session_id', '=', sessionId)
    .where('replaced_at', 'is', null)
    .executeTakeFirst()

/** Replaces the session's current challenge (if any) by a new one, for a new selfie. */
export const issueChallenge = async (db: Queryable, row: Insertable<SelfieChallengeTable>) => {
  await db
    .updateTable('selfie_challenge')
    .set({ replaced_at: row.issued_at })
    .where('session_id', '=', row.session_id)
    .where('replaced_at', 'is', null)
    .execute()
  return db.insertInto('selfie_challenge').values(row).returningAll().executeTakeFirstOrThrow()
}

/** Marks a challenge answered, only if it is still current and unanswered; false otherwise. */
export const markChallengeAnswered = async (db: Queryable, id: string, now: number): Promise<boolean> => {
  const result = await db
    .updateTable('selfie_challenge')
    .set({ answered_at: now })
    .where('id', '=', id)
    .where('answered_at', 'is', null)
    .where('replaced_at', 'is', null)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}
