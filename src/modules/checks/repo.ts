import type { Insertable } from 'kysely'
import type { Queryable } from '../../db/database.ts'
import type { CheckResultRow, CheckResultTable } from '../../db/schema.ts'

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
