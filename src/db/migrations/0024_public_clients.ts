import { type Kysely, sql } from 'kysely'

// A public OAuth client (a mobile app, which cannot keep a secret) proves possession with PKCE alone: the
// token endpoint checks no secret for it. Confidential clients (the default) must still present theirs.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('client')
    .addColumn('public_oauth', 'integer', (column) => column.notNull().defaultTo(sql`0`))
    .execute()
}
