import { type Kysely, sql } from 'kysely'

// A verification freeze laid over the holder's own freeze keeps it here, so that regaining VERIFIED
// gives the holder back the card they froze (perhaps lost) rather than an active one (decision 183).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('card')
    .addColumn('holder_frozen', 'integer', (column) => column.notNull().defaultTo(sql`0`))
    .execute()
}
