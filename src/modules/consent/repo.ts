import type { Queryable } from '../../db/database.ts'
import type {
  ConsentAuditTable,
  ConsentLinkRow,
  ConsentRecordRow,
  ConsentRecordTable,
  ConsentSetTable,
} from '../../db/schema.ts'

/** The only SQL of the consent tables. Every statement is an INSERT or a SELECT: the tables are append-only. */

export const insertConsentSet = (db: Queryable, row: ConsentSetTable) =>
  db.insertInto('consent_set').values(row).execute()

export const insertConsentRecords = (db: Queryable, rows: ConsentRecordTable[]) =>
  db.insertInto('consent_record').values(rows).execute()

export const insertConsentLink = (db: Queryable, row: ConsentLinkRow) =>
  db.insertInto('consent_link').values(row).execute()

export const insertConsentAudit = (db: Queryable, rows: ConsentAuditTable[]) =>
  db.insertInto('consent_audit').values(rows).execute()

export const findConsentSet = (db: Queryable, clientId: string, consentSetId: string) =>
  db
    .selectFrom('consent_set')
    .selectAll()
    .where('id', '=', consentSetId)
    .where('client_id', '=', clientId)
    .executeTakeFirst()

export const consentSetsOfOnboarding = (db: Queryable, clientId: string, onboardingId: string) =>
  db
    .selectFrom('consent_set')
    .selectAll()
    .where('client_id', '=', clientId)
    .where('onboarding_id', '=', onboardingId)
    .orderBy('created_at')
    .orderBy('id')
    .execute()

/** The user's linked sets of this client, the most recently linked last. */
export const consentSetsOfUser = (db: Queryable, clientId: string, userId: string) =>
  db
    .selectFrom('consent_set')
    .innerJoin('consent_link', 'consent_link.consent_set_id', 'consent_set.id')
    .selectAll('consent_set')
    .where('consent_set.client_id', '=', clientId)
    .where('consent_link.user_id', '=', userId)
    .orderBy('consent_link.sequence')
    .execute()

export const lastLinkSequence = async (db: Queryable, userId: string): Promise<number> => {
  const row = await db
    .selectFrom('consent_link')
    .select((eb) => eb.fn.max('sequence').as('last'))
    .where('user_id', '=', userId)
    .executeTakeFirst()
  return Number(row?.last ?? 0)
}

export const linksOf = (db: Queryable, consentSetIds: readonly string[]): Promise<ConsentLinkRow[]> =>
  consentSetIds.length === 0
    ? Promise.resolve([])
    : db.selectFrom('consent_link').selectAll().where('consent_set_id', 'in', consentSetIds).execute()

/** The records no later record supersedes (the current answers), as `record`. */
const currentRecords = (db: Queryable) =>
  db
    .selectFrom('consent_record as record')
    .selectAll('record')
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('consent_record as later')
            .select('later.id')
            .whereRef('later.supersedes', '=', 'record.id'),
        ),
      ),
    )

/** The current answers of the sets. */
export const currentRecordsOf = (
  db: Queryable,
  consentSetIds: readonly string[],
): Promise<ConsentRecordRow[]> =>
  consentSetIds.length === 0
    ? Promise.resolve([])
    : currentRecords(db)
        .where('record.consent_set_id', 'in', consentSetIds)
        .orderBy('record.created_at')
        .orderBy('record.id')
        .execute()

/** When each set last changed: its newest record or its link. */
export const lastChangesOf = async (
  db: Queryable,
  consentSetIds: readonly string[],
): Promise<Map<string, number>> => {
  if (consentSetIds.length === 0) return new Map()
  const rows = await db
    .selectFrom('consent_audit')
    .select(['consent_set_id', (eb) => eb.fn.max('created_at').as('at')])
    .where('consent_set_id', 'in', consentSetIds)
    .groupBy('consent_set_id')
    .execute()
  return new Map(rows.map((row) => [row.consent_set_id, Number(row.at)]))
}

export const findCurrentRecord = (db: Queryable, consentSetId: string, consentId: string) =>
  currentRecords(db)
    .where('record.id', '=', consentId)
    .where('record.consent_set_id', '=', consentSetId)
    .executeTakeFirst()

/** The audit records of the user's linked sets of this client, oldest first, one page. */
export const auditOfUser = (
  db: Queryable,
  clientId: string,
  userId: string,
  page: { limit: number; offset: number },
) =>
  db
    .selectFrom('consent_audit')
    .innerJoin('consent_set', 'consent_set.id', 'consent_audit.consent_set_id')
    .innerJoin('consent_link', 'consent_link.consent_set_id', 'consent_set.id')
    .selectAll('consent_audit')
    .where('consent_set.client_id', '=', clientId)
    .where('consent_link.user_id', '=', userId)
    .orderBy('consent_audit.created_at')
    .orderBy('consent_audit.consent_set_id')
    .orderBy('consent_audit.position')
    .limit(page.limit)
    .offset(page.offset)
    .execute()
