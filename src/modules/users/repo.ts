import { type Insertable, sql } from 'kysely'
import type { Queryable, RegionDatabase } from '../../db/database.ts'
import { preparedQuery } from '../../db/prepared.ts'
import { lockedRows } from '../../db/row-locks.ts'
import { APP_USER_COLUMNS, type AppUserTable, type UserRow } from '../../db/schema.ts'

type UserChanges = Partial<Omit<UserRow, 'id' | 'client_id' | 'created_at'>>

type RequiredUserFields =
  | 'id'
  | 'client_id'
  | 'onboarding_id'
  | 'email'
  | 'password_hash'
  | 'country_of_residence'
  | 'created_at'

/** An account as email verification creates it: every later onboarding field still empty. */
export const newUserRow = (
  fields: Pick<Insertable<AppUserTable>, RequiredUserFields> & Partial<Insertable<AppUserTable>>,
): Insertable<AppUserTable> => ({
  status: 'active',
  external_id: null,
  marketing_consent_at: null,
  sms_consent_at: null,
  phone_country_code: null,
  phone_number: null,
  phone_verified_at: null,
  first_name: null,
  last_name: null,
  date_of_birth: null,
  country_of_nationality: null,
  ssn_sealed: null,
  ssn_last4: null,
  address_line1: null,
  address_line2: null,
  city: null,
  zip: null,
  us_state: null,
  mailing_address_line1: null,
  mailing_address_line2: null,
  mailing_city: null,
  mailing_zip: null,
  mailing_us_state: null,
  mailing_pending_since: null,
  registration_completed_at: null,
  verification_state: 'UNVERIFIED',
  state_version: 0,
  login_otp_enabled_at: null,
  login_challenge_until: null,
  suspended_at: null,
  limits_reset_at: null,
  updated_at: fields.created_at,
  ...fields,
})

export const insertUser = (db: Queryable, row: Insertable<AppUserTable>): Promise<UserRow> =>
  db.insertInto('app_user').values(row).returningAll().executeTakeFirstOrThrow()

export const findUserById = (db: Queryable, id: string) =>
  db.selectFrom('app_user').selectAll().where('id', '=', id).executeTakeFirst()

/**
 * Users an operator looks for: by id, by email (as stored, normalized), by a part of the name, or among
 * `ids` found otherwise (by document number, through its keyed digest: the checks module's). The name
 * is matched as typed, case-insensitively, with LIKE's wildcards escaped.
 */
export const searchUsers = (
  db: Queryable,
  term: { text: string; email: string | null; ids?: readonly string[] },
  limit: number,
) => {
  const pattern = `%${term.text.toLowerCase().replace(/[\\%_]/g, (char) => `\\${char}`)}%`
  return db
    .selectFrom('app_user')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb('id', '=', term.text),
        ...(term.ids?.length ? [eb('id', 'in', term.ids)] : []),
        ...(term.email ? [eb('email', '=', term.email)] : []),
        eb(
          sql<string>`lower(coalesce(first_name, '') || ' ' || coalesce(last_name, ''))`,
          'like',
          sql<string>`${pattern} escape '\\'`,
        ),
      ]),
    )
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute()
}

export const findUserByEmail = (db: Queryable, clientId: string, email: string) =>
  db
    .selectFrom('app_user')
    .selectAll()
    .where('client_id', '=', clientId)
    .where('email', '=', email)
    .executeTakeFirst()

export const findUserByOnboardingId = (db: Queryable, clientId: string, onboardingId: string) =>
  db
    .selectFrom('app_user')
    .selectAll()
    .where('client_id', '=', clientId)
    .where('onboarding_id', '=', onboardingId)
    .executeTakeFirst()

export const updateUser = async (db: Queryable, id: string, changes: UserChanges): Promise<UserRow> =>
  db.updateTable('app_user').set(changes).where('id', '=', id).returningAll().executeTakeFirstOrThrow()

/** Until when a login OTP may be texted to this user (null: not now). */
export const openLoginChallenge = async (db: Queryable, id: string, until: number | null): Promise<void> => {
  await db.updateTable('app_user').set({ login_challenge_until: until }).where('id', '=', id).execute()
}

/**
 * Serializes everything that reads and then changes one user's verification (sessions, limits, state,
 * identity). PostgreSQL: the user row is locked until the transaction ends. SQLite: every transaction
 * already holds the write lock (BEGIN IMMEDIATE), so concurrent requests run one after the other.
 */
// Prepared per dialect: the lock clause is part of the SQL (row-locks.ts).
const lockedUserQuery = (dialect: RegionDatabase['dialect']) =>
  preparedQuery((db: Queryable, userId: string) =>
    db
      .selectFrom('app_user')
      .select(APP_USER_COLUMNS)
      .where('id', '=', userId)
      .$call(lockedRows({ dialect })),
  )
const lockedUser = { sqlite: lockedUserQuery('sqlite'), postgres: lockedUserQuery('postgres') }

export const lockUser = (
  database: RegionDatabase,
  db: Queryable,
  userId: string,
): Promise<UserRow | undefined> => lockedUser[database.dialect].first(db, userId)

/**
 * Writes a new verificationState, only over the version the caller read (undefined when the user
 * changed since). Only the verification state writer calls this (see verification/state.ts).
 */
export const recordVerificationState = (
  db: Queryable,
  user: Pick<UserRow, 'id' | 'state_version'>,
  change: { state: UserRow['verification_state']; version: number; at: number },
): Promise<UserRow | undefined> =>
  db
    .updateTable('app_user')
    .set({ verification_state: change.state, state_version: change.version, updated_at: change.at })
    .where('id', '=', user.id)
    .where('state_version', '=', user.state_version)
    .returningAll()
    .executeTakeFirst()

/** VERIFIED users, by id, after `afterId` (keyset pages for jobs that visit them all, e.g. re-screening). */
export const verifiedUsersAfter = (
  db: Queryable,
  afterId: string | null,
  limit: number,
): Promise<UserRow[]> => {
  let query = db.selectFrom('app_user').selectAll().where('verification_state', '=', 'VERIFIED')
  if (afterId !== null) query = query.where('id', '>', afterId)
  return query.orderBy('id').limit(limit).execute()
}
