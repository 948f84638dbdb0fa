import type { Insertable } from 'kysely'
import type { Queryable } from '../../db/database.ts'
import type { CheckResultRow, CheckResultTable, UploadFeedbackTable } from '../../db/schema.ts'

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
