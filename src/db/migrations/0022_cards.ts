import { type Kysely, sql } from 'kysely'

// Cards (issue #14 item 5), in the region database of their holder. The processor issues the card; we
// keep what the API shows of it (never a full PAN: the last four digits and the expiry only) and its
// status, which the holder (freeze, unfreeze) and verification changes (src/modules/cards) move.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('card')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('client_id', 'text', (col) => col.notNull())
    // One card per user, whatever its status: a second order is refused, even racing the first.
    .addColumn('user_id', 'text', (col) => col.notNull().unique())
    .addColumn('type', 'text', (col) => col.notNull().check(sql`type in ('VIRTUAL', 'PHYSICAL', 'METAL')`))
    .addColumn('status', 'text', (col) =>
      col.notNull().check(sql`status in ('ACTIVE', 'FROZEN', 'BLOCKED', 'INACTIVE')`),
    )
    .addColumn('frozen_by', 'text', (col) => col.check(sql`frozen_by in ('holder', 'verification')`))
    .addColumn('holder_name', 'text', (col) => col.notNull())
    .addColumn('pan_last4', 'text', (col) => col.notNull())
    .addColumn('expiry', 'text', (col) => col.notNull())
    .addColumn('processor', 'text', (col) => col.notNull())
    .addColumn('processor_ref', 'text', (col) => col.notNull())
    .addColumn('ordered_at', 'bigint', (col) => col.notNull())
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    .addCheckConstraint('card_frozen_by', sql`(status = 'FROZEN') = (frozen_by is not null)`)
    .execute()
}
