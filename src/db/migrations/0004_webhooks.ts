import { type Kysely, sql } from 'kysely'

// Webhooks. Endpoints are tenant configuration and are only used in the home (intl) database; events,
// deliveries and attempts carry user data and live in the user's region database. Like every table,
// all exist in both databases so that one migration set serves every region.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('webhook_endpoint')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('client_id', 'text', (col) => col.notNull().references('client.id').onDelete('cascade'))
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('url', 'text', (col) => col.notNull())
    .addColumn('event_types', 'text', (col) => col.notNull())
    .addColumn('metadata', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) =>
      col.notNull().check(sql`status in ('active', 'inactive', 'disabled')`),
    )
    .addColumn('disabled_reason', 'text')
    .addColumn('key_sealed', 'text', (col) => col.notNull())
    .addColumn('key_last4', 'text', (col) => col.notNull())
    .addColumn('previous_key_sealed', 'text')
    .addColumn('previous_key_expires_at', 'bigint')
    .addColumn('failing_since', 'bigint')
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    .execute()
  await db.schema
    .createIndex('webhook_endpoint_client_idx')
    .on('webhook_endpoint')
    .columns(['client_id', 'created_at'])
    .execute()

  await db.schema
    .createTable('webhook_event')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('client_id', 'text', (col) => col.notNull())
    .addColumn('user_id', 'text')
    .addColumn('type', 'text', (col) => col.notNull())
    .addColumn('payload', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('dispatched_at', 'bigint')
    .execute()
  await db.schema
    .createIndex('webhook_event_client_idx')
    .on('webhook_event')
    .columns(['client_id', 'created_at'])
    .execute()

  await db.schema
    .createTable('webhook_delivery')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('event_id', 'text', (col) => col.notNull().references('webhook_event.id').onDelete('cascade'))
    .addColumn('endpoint_id', 'text', (col) => col.notNull())
    .addColumn('client_id', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) =>
      col.notNull().check(sql`status in ('pending', 'success', 'failed')`),
    )
    .addColumn('attempts', 'integer', (col) => col.notNull())
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('next_retry_at', 'bigint')
    .addColumn('delivered_at', 'bigint')
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    .addUniqueConstraint('webhook_delivery_event_endpoint_unique', ['event_id', 'endpoint_id'])
    .execute()

  await db.schema
    .createTable('webhook_attempt')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('delivery_id', 'text', (col) =>
      col.notNull().references('webhook_delivery.id').onDelete('cascade'),
    )
    .addColumn('event_id', 'text', (col) => col.notNull())
    .addColumn('endpoint_id', 'text', (col) => col.notNull())
    .addColumn('client_id', 'text', (col) => col.notNull())
    .addColumn('attempt_number', 'integer', (col) => col.notNull())
    .addColumn('request_url', 'text', (col) => col.notNull())
    .addColumn('request_headers', 'text', (col) => col.notNull())
    .addColumn('response_status', 'integer')
    .addColumn('response_body', 'text')
    .addColumn('error_message', 'text')
    .addColumn('outcome', 'text', (col) => col.notNull().check(sql`outcome in ('success', 'failed')`))
    .addColumn('duration_ms', 'integer', (col) => col.notNull())
    .addColumn('next_retry_at', 'bigint')
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .execute()
  await db.schema
    .createIndex('webhook_attempt_endpoint_idx')
    .on('webhook_attempt')
    .columns(['endpoint_id', 'created_at'])
    .execute()
  await db.schema
    .createIndex('webhook_attempt_event_idx')
    .on('webhook_attempt')
    .columns(['event_id', 'created_at'])
    .execute()
  await db.schema
    .createIndex('webhook_attempt_created_idx')
    .on('webhook_attempt')
    .column('created_at')
    .execute()
}
