import type { Queryable } from '../../db/database.ts'

/**
 * Documents whose retention is over: the session was decided (or abandoned) before `cutoff`, or expired
 * unsubmitted before it. Sessions still waiting for a decision never match.
 */
export const documentsPastRetention = (db: Queryable, cutoff: number, limit: number) =>
  db
    .selectFrom('document_file')
    .innerJoin('verification_session', 'verification_session.id', 'document_file.session_id')
    .select(['document_file.id', 'document_file.storage_key'])
    .where('document_file.purged_at', 'is', null)
    .where((where) =>
      where.or([
        where.and([
          where('verification_session.outcome', 'in', [
            'approved',
            'rejected',
            'resubmission_required',
            'abandoned',
          ]),
          where('verification_session.outcome_at', '<', cutoff),
        ]),
        where.and([
          where('verification_session.status', '=', 'expired'),
          where('verification_session.expires_at', '<', cutoff),
        ]),
      ]),
    )
    .limit(limit)
    .execute()

/** Erases the wrapped keys: from here on the objects cannot be decrypted, wherever a copy is. */
export const markPurged = (db: Queryable, ids: string[], now: number) =>
  db.updateTable('document_file').set({ wrapped_key: '', purged_at: now }).where('id', 'in', ids).execute()
