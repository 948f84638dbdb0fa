import type { Insertable } from 'kysely'
import type { Queryable } from '../../db/database.ts'
import type {
  CheckResultRow,
  CheckResultTable,
  IdentityFingerprintTable,
  UploadFeedbackTable,
} from '../../db/schema.ts'

/** One row per session and check: a check job that runs again replaces its rows instead of adding. */
export const saveCheckResults = async (
  db: Queryable,
  rows: Insertable<CheckResultTable>[],
): Promise<void> => {
  for (const row of rows)
    await db
      .insertInto('check_result')
      .values(row)
      .onConflict((conflict) =>
        conflict.columns(['session_id', 'check_id']).doUpdateSet((eb) => ({
          check_version: eb.ref('excluded.check_version'),
          outcome: eb.ref('excluded.outcome'),
          reason_code: eb.ref('excluded.reason_code'),
          score: eb.ref('excluded.score'),
          evidence_sealed: eb.ref('excluded.evidence_sealed'),
          created_at: eb.ref('excluded.created_at'),
        })),
      )
      .execute()
}

export const checkResultsOf = (db: Queryable, sessionId: string): Promise<CheckResultRow[]> =>
  db.selectFrom('check_result').selectAll().where('session_id', '=', sessionId).orderBy('check_id').execute()

/** The first verdict on an upload stands: a job that runs again after a crash changes nothing. */
export const saveUploadFeedback = (db: Queryable, row: Insertable<UploadFeedbackTable>) =>
  db
    .insertInto('upload_feedback')
    .values(row)
    .onConflict((conflict) => conflict.column('document_id').doNothing())
    .execute()

export const uploadFeedbackOf = (db: Queryable, documentId: string) =>
  db.selectFrom('upload_feedback').selectAll().where('document_id', '=', documentId).executeTakeFirst()
/** One row per session and kind: a check job that runs again rewrites its fingerprints. */
export const saveFingerprints = async (
  db: Queryable,
  rows: Insertable<IdentityFingerprintTable>[],
): Promise<void> => {
  for (const row of rows)
    await db
      .insertInto('identity_fingerprint')
      .values(row)
      .onConflict((conflict) =>
        conflict.columns(['session_id', 'kind']).doUpdateSet((eb) => ({
          digest: eb.ref('excluded.digest'),
          number_digest: eb.ref('excluded.number_digest'),
          created_at: eb.ref('excluded.created_at'),
        })),
      )
      .execute()
}

/** The users whose checked document has one of these number digests (the console's search). */
export const usersWithNumberDigest = async (db: Queryable, digests: readonly string[]): Promise<string[]> =>
  digests.length === 0
    ? []
    : (
        await db
          .selectFrom('identity_fingerprint')
          .select('user_id')
          .distinct()
          .where('kind', '=', 'document')
          .where('number_digest', 'in', digests)
          .execute()
      ).map((row) => row.user_id)

/**
 * Other users of the client holding one of these fingerprints who are verified, or whose session with
 * it is still being decided (checked, or waiting for a reviewer): the identity is in use elsewhere.
 */
export const otherHolders = (db: Queryable, by: { clientId: string; userId: string; digests: string[] }) =>
  db
    .selectFrom('identity_fingerprint as fingerprint')
    .innerJoin('app_user as holder', 'holder.id', 'fingerprint.user_id')
    .innerJoin('verification_session as session', 'session.id', 'fingerprint.session_id')
    .select([
      'fingerprint.kind as kind',
      'fingerprint.user_id as userId',
      'fingerprint.session_id as sessionId',
      'holder.verification_state as verificationState',
      'session.outcome as sessionOutcome',
    ])
    .where('fingerprint.client_id', '=', by.clientId)
    .where('fingerprint.user_id', '<>', by.userId)
    .where('fingerprint.digest', 'in', by.digests)
    .where((eb) =>
      eb.or([
        eb('holder.verification_state', '=', 'VERIFIED'),
        eb.and([
          eb('session.status', '=', 'submitted'),
          eb.or([eb('session.outcome', 'is', null), eb('session.outcome', '=', 'review')]),
        ]),
      ]),
    )
    .orderBy('fingerprint.created_at')
    .orderBy('fingerprint.session_id')
    .execute()
/** The result of a check in the user's latest approved submission (re-screening reuses what it screened). */
export const latestApprovedResultOf = (
  db: Queryable,
  userId: string,
  checkId: string,
): Promise<CheckResultRow | undefined> =>
  db
    .selectFrom('check_result')
    .innerJoin('verification_session', 'verification_session.id', 'check_result.session_id')
    .selectAll('check_result')
    .where('verification_session.user_id', '=', userId)
    .where('verification_session.outcome', '=', 'approved')
    .where('check_result.check_id', '=', checkId)
    .orderBy('verification_session.outcome_at', 'desc')
    .limit(1)
    .executeTakeFirst()

/** Check results whose evidence still holds pictures although a document of their session was purged. */
export const resultsToRedact = (db: Queryable, limit: number) =>
  db
    .selectFrom('check_result')
    .select(['session_id', 'check_id', 'evidence_sealed'])
    .where('evidence_redacted_at', 'is', null)
    .where('evidence_sealed', 'is not', null)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('document_file')
          .select('document_file.id')
          .whereRef('document_file.session_id', '=', 'check_result.session_id')
          .where('document_file.purged_at', 'is not', null),
      ),
    )
    .limit(limit)
    .execute()

export const replaceEvidence = (
  db: Queryable,
  row: { session_id: string; check_id: string },
  evidenceSealed: string,
  at: number,
) =>
  db
    .updateTable('check_result')
    .set({ evidence_sealed: evidenceSealed, evidence_redacted_at: at })
    .where('session_id', '=', row.session_id)
    .where('check_id', '=', row.check_id)
    .execute()
