import type { Kysely } from 'kysely'

// OAuth 2.0 (legacy API mode and hosted OAuth2), in each region's database beside its users. Codes and
// refresh tokens are stored as SHA-256 digests only. A refresh token belongs to a family (one code
// exchange and every rotation after it); the access tokens a family issues are ordinary access_token
// rows that name it, so revoking the family (reuse detected, client revoked) stops them at once too.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('oauth_code')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('client_id', 'text', (column) => column.notNull())
    .addColumn('user_id', 'text', (column) => column.notNull().references('app_user.id').onDelete('cascade'))
    .addColumn('redirect_uri', 'text', (column) => column.notNull())
    .addColumn('code_challenge', 'text', (column) => column.notNull())
    .addColumn('scope', 'text', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('expires_at', 'bigint', (column) => column.notNull())
    .addColumn('used_at', 'bigint')
    .addColumn('family_id', 'text')
    .execute()

  await db.schema
    .createTable('oauth_refresh_token')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('family_id', 'text', (column) => column.notNull())
    .addColumn('client_id', 'text', (column) => column.notNull())
    .addColumn('user_id', 'text', (column) => column.notNull().references('app_user.id').onDelete('cascade'))
    .addColumn('scope', 'text', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('expires_at', 'bigint', (column) => column.notNull())
    .addColumn('used_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .execute()
  await db.schema
    .createIndex('oauth_refresh_token_family_idx')
    .on('oauth_refresh_token')
    .column('family_id')
    .execute()
  await db.schema
    .createIndex('oauth_refresh_token_user_idx')
    .on('oauth_refresh_token')
    .columns(['user_id', 'client_id'])
    .execute()

  // What the user granted a client (isLinked at login); removed when the client's tokens are revoked.
  await db.schema
    .createTable('oauth_grant')
    .addColumn('user_id', 'text', (column) => column.notNull().references('app_user.id').onDelete('cascade'))
    .addColumn('client_id', 'text', (column) => column.notNull())
    .addColumn('scope', 'text', (column) => column.notNull())
    .addColumn('granted_at', 'bigint', (column) => column.notNull())
    .addPrimaryKeyConstraint('oauth_grant_pk', ['user_id', 'client_id'])
    .execute()

  await db.schema.alterTable('access_token').addColumn('oauth_family_id', 'text').execute()
  await db.schema
    .createIndex('access_token_oauth_family_idx')
    .on('access_token')
    .column('oauth_family_id')
    .execute()
}
