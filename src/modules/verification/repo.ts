import { type Insertable, sql } from 'kysely'
import type { Queryable, RegionDatabase } from '../../db/database.ts'
import { preparedQuery, rowFrom, valuesOf } from '../../db/prepared.ts'
import { lockedRows } from '../../db/row-locks.ts'
import type {
  SessionOutcome,
  SessionRow,
  UserRow,
  VerificationSessionTable,
  VerificationStateTransitionTable,
} from '../../db/schema.ts'

/**
 * Marks sessions past their expiry: opened ones as abandoned (a failure for 3_per_hour, dated at their
 * expiry), never-opened ones as simply expired. Limited to one user when `userId` is given.
 */
export const expireDueSessions = async (db: Queryable, now: number, userId?: string): Promise<number> => {
  const result = await db
    .updateTable('verification_session')
    .set((eb) => ({
      status: 'expired',
      outcome: eb
        .case()
        .when('status', '=', 'opened')
        .then(eb.val<SessionOutcome>('abandoned'))
        .else(eb.ref('outcome'))
        .end(),
      outcome_at: eb
        .case()
        .when('status', '=', 'opened')
        .then(eb.ref('expires_at'))
        .else(eb.ref('outcome_at'))
        .end(),
    }))
    .where('status', 'in', ['issued', 'opened'])
    .where('expires_at', '<=', now)
    .$if(userId !== undefined, (query) => query.where('user_id', '=', userId as string))
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}

const NEW_SESSION_COLUMNS = [
  'id',
  'client_id',
  'user_id',
  'kind',
  'status',
  'outcome',
  'reasons',
  'created_at',
  'expires_at',
  'opened_at',
  'submitted_at',
  'outcome_at',
  'reverification',
] as const satisfies readonly (keyof VerificationSessionTable)[]

/** The columns a new session is written with; the rest start empty (identity_* at submission). */
export type NewSessionRow = Pick<VerificationSessionTable, (typeof NEW_SESSION_COLUMNS)[number]>

// One value per column, in NEW_SESSION_COLUMNS order: a session is created on every link request.
const insertSessionRow = preparedQuery((db: Queryable, ...values: unknown[]) =>
  db
    .insertInto('verification_session')
    .values(rowFrom(NEW_SESSION_COLUMNS, values) as Insertable<VerificationSessionTable>),
)

export const insertSession = async (db: Queryable, row: NewSessionRow): Promise<void> => {
  await insertSessionRow.all(db, ...valuesOf(NEW_SESSION_COLUMNS, row))
}

export const findSession = (db: Queryable, id: string) =>
  db.selectFrom('verification_session').selectAll().where('id', '=', id).executeTakeFirst()

const LIMIT_COLUMNS = ['status', 'outcome', 'created_at', 'expires_at', 'outcome_at'] as const

/**
 * What the limits decide on, in one statement (one round trip on PostgreSQL): the sessions that count
 * (part 0: created after `since`, still issued or opened, or submitted and not decided yet) and the
 * user's `outcomes` latest outcomes after `outcomesSince` (part 1, in no particular order). A decided
 * submission older than `since` counts for nothing, so part 0 does not read it: its arms are index
 * lookups (0027) that do not grow with the user's history, as part 1 is on (user_id, outcome_at).
 */
const limitSessionRows = preparedQuery(
  (db: Queryable, userId: string, since: number, outcomesSince: number, outcomes: number) =>
    db
      .selectFrom('verification_session')
      .select([...LIMIT_COLUMNS, sql<0 | 1>`0`.as('part')])
      .where('user_id', '=', userId)
      .where((eb) =>
        eb.or([
          eb('created_at', '>', since),
          eb('status', 'in', ['issued', 'opened']),
          eb.and([eb('status', '=', 'submitted'), eb('outcome', 'is', null)]),
          eb.and([eb('status', '=', 'submitted'), eb('outcome', '=', 'review')]),
        ]),
      )
      .unionAll(
        db
          .selectFrom((latest) =>
            latest
              .selectFrom('verification_session')
              .select([...LIMIT_COLUMNS, sql<0 | 1>`1`.as('part')])
              .where('user_id', '=', userId)
              .where('outcome', 'is not', null)
              .where('outcome_at', '>', outcomesSince)
              .orderBy('outcome_at', 'desc')
              .limit(outcomes)
              .as('latest'),
          )
          .select([...LIMIT_COLUMNS, 'part']),
      ),
)

export const limitSessions = async (
  db: Queryable,
  userId: string,
  window: { since: number; outcomesSince: number; outcomes: number },
) => {
  const rows = await limitSessionRows.all(db, userId, window.since, window.outcomesSince, window.outcomes)
  return {
    counted: rows.filter((row) => row.part === 0),
    latestOutcomes: rows
      .filter((row) => row.part === 1)
      .sort((a, b) => (b.outcome_at as number) - (a.outcome_at as number)),
  }
}

export const latestTransitionTo = (db: Queryable, userId: string, state: UserRow['verification_state']) =>
  db
    .selectFrom('verification_state_transition')
    .select(['created_at', 'version'])
    .where('user_id', '=', userId)
    .where('to_state', '=', state)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst()

export const listUserSessions = (db: Queryable, userId: string, limit: number) =>
  db
    .selectFrom('verification_session')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()

/** Whether a submission of the user exists (its identity was checked), and one with proof of address. */
export const checkedIdentityScope = async (db: Queryable, userId: string) => {
  const row = await db
    .selectFrom('verification_session')
    .select((eb) => [
      eb.fn.countAll<number>().as('submissions'),
      eb.fn.max('identity_includes_address').as('withAddress'),
    ])
    .where('user_id', '=', userId)
    .where('status', '=', 'submitted')
    .executeTakeFirstOrThrow()
  return { identity: Number(row.submissions) > 0, address: Number(row.withAddress ?? 0) === 1 }
}

/** Holds the session row until the transaction ends (PostgreSQL; SQLite transactions hold the write lock). */
export const lockSession = async (database: RegionDatabase, db: Queryable, sessionId: string) => {
  await db
    .selectFrom('verification_session')
    .select('id')
    .where('id', '=', sessionId)
    .$call(lockedRows(database))
    .executeTakeFirst()
}

/** The onboarding link a user may reuse: issued or opened, not expired, the newest. */
export const findActiveOnboardingSession = (db: Queryable, userId: string, now: number) =>
  db
    .selectFrom('verification_session')
    .selectAll()
    .where('user_id', '=', userId)
    .where('kind', '=', 'onboarding')
    .where('status', 'in', ['issued', 'opened'])
    .where('expires_at', '>', now)
    .orderBy('created_at', 'desc')
    .executeTakeFirst()

/** Moves an opened session to submitted with the identity it is checked against (undefined if not opened). */
export const markSessionSubmitted = (
  db: Queryable,
  sessionId: string,
  submission: Pick<SessionRow, 'submitted_at' | 'reverification' | 'identity_sealed' | 'identity_digest'> & {
    identity_includes_address: number
  },
): Promise<SessionRow | undefined> =>
  db
    .updateTable('verification_session')
    .set({ status: 'submitted', ...submission })
    .where('id', '=', sessionId)
    .where('status', '=', 'opened')
    .returningAll()
    .executeTakeFirst()

export const recordSessionOutcome = async (
  db: Queryable,
  sessionId: string,
  outcome: { outcome: SessionOutcome; outcome_at: number; reasons: string },
): Promise<void> => {
  await db.updateTable('verification_session').set(outcome).where('id', '=', sessionId).execute()
}

/** Expires every issued or opened session of the user at once (a sandbox limits reset). */
export const expireOpenSessionsOf = async (db: Queryable, userId: string): Promise<void> => {
  await db
    .updateTable('verification_session')
    .set({ status: 'expired' })
    .where('user_id', '=', userId)
    .where('status', 'in', ['issued', 'opened'])
    .execute()
}

export const insertTransition = async (
  db: Queryable,
  row: Insertable<VerificationStateTransitionTable>,
): Promise<void> => {
  await db.insertInto('verification_state_transition').values(row).execute()
}

export const stateHistory = (db: Queryable, userId: string) =>
  db
    .selectFrom('verification_state_transition')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('version')
    .execute()

/**
 * A browser claimed the session: issued → opened, only while it is issued and unexpired (a conditional
 * update, so of concurrent claims of a user session exactly one gets the row back).
 */
export const markSessionOpened = (db: Queryable, sessionId: string, now: number) =>
  db
    .updateTable('verification_session')
    .set({ status: 'opened', opened_at: now })
    .where('id', '=', sessionId)
    .where('status', '=', 'issued')
    .where('expires_at', '>', now)
    .returningAll()
    .executeTakeFirst()

/** How many submitted sessions nobody has decided yet (of one client, or all), and the oldest's submission. */
export const summarizeSessionsAwaitingDecision = async (db: Queryable, clientId?: string) => {
  const row = await db
    .selectFrom('verification_session')
    .select((eb) => [eb.fn.countAll<number | string>().as('count'), eb.fn.min('submitted_at').as('oldest')])
    .where('status', '=', 'submitted')
    .where((eb) => eb.or([eb('outcome', 'is', null), eb('outcome', '=', 'review')]))
    .$if(clientId !== undefined, (query) => query.where('client_id', '=', clientId as string))
    .executeTakeFirstOrThrow()
  // PostgreSQL answers count(*) and a bigint min as strings.
  return { count: Number(row.count), oldestSubmittedAt: row.oldest === null ? null : Number(row.oldest) }
}

/** Submitted sessions nobody has decided yet (checks running, or waiting for a person), oldest first. */
export const listSessionsAwaitingDecision = (db: Queryable, limit: number) =>
  db
    .selectFrom('verification_session')
    .selectAll()
    .where('status', '=', 'submitted')
    .where((eb) => eb.or([eb('outcome', 'is', null), eb('outcome', '=', 'review')]))
    .orderBy('submitted_at')
    .orderBy('id')
    .limit(limit)
    .execute()
