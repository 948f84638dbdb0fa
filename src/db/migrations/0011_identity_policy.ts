import { type Kysely, sql } from 'kysely'

// Document acceptance per client (it only narrows the region's policy from the configuration), and the
// keyed fingerprints of the identities the checks saw (document number + issuing country, SSN), for the
// duplicate-identity check. Fingerprints are HMACs under a key derived from the server secret and
// scoped to the client: a leaked table says neither the numbers nor who shares them across clients.
export async function up(db: Kysely<unknown>): Promise<void> {
  // JSON arrays; null: the region's list.
  await db.schema.alterTable('client').addColumn('accepted_document_types', 'text').execute()
  await db.schema.alterTable('client').addColumn('accepted_issuing_countries', 'text').execute()
  await db.schema
    .alterTable('client')
    .addColumn('restricted_countries', 'text', (col) => col.notNull().defaultTo('[]'))
    .execute()
  await db.schema.alterTable('client').addColumn('minimum_age', 'integer').execute()

  await db.schema
    .createTable('identity_fingerprint')
    .addColumn('session_id', 'text', (col) => col.notNull().references('verification_session.id'))
    .addColumn('kind', 'text', (col) => col.notNull().check(sql`kind in ('document', 'ssn')`))
    .addColumn('client_id', 'text', (col) => col.notNull())
    .addColumn('user_id', 'text', (col) => col.notNull().references('app_user.id'))
    .addColumn('digest', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    // One per session and kind: a check job that runs again rewrites its rows instead of adding.
    .addPrimaryKeyConstraint('identity_fingerprint_pk', ['session_id', 'kind'])
    .execute()
  // The duplicate check looks a client's fingerprints up by digest.
  await db.schema
    .createIndex('identity_fingerprint_lookup')
    .on('identity_fingerprint')
    .columns(['client_id', 'digest'])
    .execute()
}
