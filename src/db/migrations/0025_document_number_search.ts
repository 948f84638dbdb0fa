import type { Kysely } from 'kysely'

// The console finds a user by a document number typed in its search box: each document fingerprint
// also carries the keyed digest of the number alone (keys.documentNumbers, per client; the issuing
// country left out). Rows written before this migration have none: the clear numbers they were made
// from were never kept, so they cannot be computed now.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('identity_fingerprint').addColumn('number_digest', 'text').execute()
  await db.schema
    .createIndex('identity_fingerprint_number_idx')
    .on('identity_fingerprint')
    .column('number_digest')
    .execute()
}
