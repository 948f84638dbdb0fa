import type { Queryable, Region, RegionDatabase } from '../../db/database.ts'
import { lockedRows } from '../../db/row-locks.ts'
import type { ClientRow, ClientUpdate, DocumentType, NewClientRow } from '../../db/schema.ts'
import type { Client } from './model.ts'

const toClient = (row: ClientRow, allowedOrigins: string[]): Client => ({
  id: row.id,
  name: row.name,
  mode: row.mode,
  regions: JSON.parse(row.regions) as Region[],
  clientKey: row.client_key,
  secretHint: row.secret_hint,
  status: row.status,
  redirectUris: JSON.parse(row.redirect_uris) as string[],
  publicOAuth: row.public_oauth === 1,
  allowedOrigins,
  frameAncestors: JSON.parse(row.frame_ancestors) as string[],
  requireProofOfAddress: row.require_proof_of_address === 1,
  returnUrl: row.return_url,
  documentPolicy: {
    documentTypes:
      row.accepted_document_types === null
        ? null
        : (JSON.parse(row.accepted_document_types) as DocumentType[]),
    issuingCountries:
      row.accepted_issuing_countries === null
        ? null
        : (JSON.parse(row.accepted_issuing_countries) as string[]),
    restrictedCountries: JSON.parse(row.restricted_countries) as string[],
    minimumAge: row.minimum_age,
  },
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  secretRotatedAt: row.secret_rotated_at,
  disabledAt: row.disabled_at,
})

const originsOf = async (db: Queryable, clientIds: string[]): Promise<Map<string, string[]>> => {
  const byClient = new Map<string, string[]>()
  if (clientIds.length === 0) return byClient
  const rows = await db
    .selectFrom('client_allowed_origin')
    .select(['client_id', 'origin'])
    .where('client_id', 'in', clientIds)
    .orderBy('origin')
    .execute()
  for (const row of rows) byClient.set(row.client_id, [...(byClient.get(row.client_id) ?? []), row.origin])
  return byClient
}

export const insertClient = async (
  db: Queryable,
  row: NewClientRow,
  allowedOrigins: string[],
): Promise<void> => {
  await db.insertInto('client').values(row).execute()
  if (allowedOrigins.length > 0) {
    await db
      .insertInto('client_allowed_origin')
      .values(allowedOrigins.map((origin) => ({ client_id: row.id, origin })))
      .execute()
  }
}

/** Looks a client up by id or by its public key. */
export const findClient = async (
  db: Queryable,
  by: { id: string } | { clientKey: string },
): Promise<Client | undefined> => {
  const row = await db
    .selectFrom('client')
    .selectAll()
    .$if('id' in by, (query) => query.where('id', '=', (by as { id: string }).id))
    .$if('clientKey' in by, (query) =>
      query.where('client_key', '=', (by as { clientKey: string }).clientKey),
    )
    .executeTakeFirst()
  if (!row) return undefined
  return toClient(row, (await originsOf(db, [row.id])).get(row.id) ?? [])
}

/** The client, its row locked for the rest of the transaction (a change decided on what it reads). */
export const lockClient = async (
  database: RegionDatabase,
  trx: Queryable,
  id: string,
): Promise<Client | undefined> => {
  const locked = await trx
    .selectFrom('client')
    .select('id')
    .where('id', '=', id)
    .$call(lockedRows(database))
    .executeTakeFirst()
  return locked ? findClient(trx, { id }) : undefined
}

/** The secret hash is read only where a presented secret is checked. */
export const findSecretHash = async (db: Queryable, clientId: string): Promise<string | undefined> =>
  (await db.selectFrom('client').select('secret_hash').where('id', '=', clientId).executeTakeFirst())
    ?.secret_hash

export const listClients = async (db: Queryable): Promise<Client[]> => {
  const rows = await db.selectFrom('client').selectAll().orderBy('created_at').orderBy('id').execute()
  const origins = await originsOf(
    db,
    rows.map((row) => row.id),
  )
  return rows.map((row) => toClient(row, origins.get(row.id) ?? []))
}

export const updateClient = async (db: Queryable, id: string, changes: ClientUpdate): Promise<boolean> => {
  const result = await db.updateTable('client').set(changes).where('id', '=', id).executeTakeFirst()
  return result.numUpdatedRows === 1n
}

export const replaceAllowedOrigins = async (
  db: Queryable,
  clientId: string,
  origins: string[],
): Promise<void> => {
  await db.deleteFrom('client_allowed_origin').where('client_id', '=', clientId).execute()
  if (origins.length > 0) {
    await db
      .insertInto('client_allowed_origin')
      .values(origins.map((origin) => ({ client_id: clientId, origin })))
      .execute()
  }
}

/** True when some active client allows this browser origin (used to answer CORS preflights). */
export const isOriginAllowedForAnyClient = async (db: Queryable, origin: string): Promise<boolean> => {
  const row = await db
    .selectFrom('client_allowed_origin')
    .innerJoin('client', 'client.id', 'client_allowed_origin.client_id')
    .select('client.id')
    .where('client_allowed_origin.origin', '=', origin)
    .where('client.status', '=', 'active')
    .limit(1)
    .executeTakeFirst()
  return row !== undefined
}
