import { type Kysely, sql } from 'kysely'

// Accounts, onboarding, verification codes, access tokens and the development outbox. Personal data
// lives only in the region database the request was routed to.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('app_user')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('client_id', 'text', (col) => col.notNull())
    .addColumn('onboarding_id', 'text', (col) => col.notNull().unique())
    .addColumn('email', 'text', (col) => col.notNull())
    .addColumn('password_hash', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull().check(sql`status in ('active', 'suspended')`))
    .addColumn('external_id', 'text')
    .addColumn('country_of_residence', 'text', (col) => col.notNull())
    .addColumn('marketing_consent_at', 'bigint')
    .addColumn('sms_consent_at', 'bigint')
    .addColumn('phone_country_code', 'text')
    .addColumn('phone_number', 'text')
    .addColumn('phone_verified_at', 'bigint')
    .addColumn('first_name', 'text')
    .addColumn('last_name', 'text')
    .addColumn('date_of_birth', 'text')
    .addColumn('country_of_nationality', 'text')
    .addColumn('ssn_sealed', 'text')
    .addColumn('ssn_last4', 'text')
    .addColumn('address_line1', 'text')
    .addColumn('address_line2', 'text')
    .addColumn('city', 'text')
    .addColumn('zip', 'text')
    .addColumn('us_state', 'text')
    .addColumn('mailing_address_line1', 'text')
    .addColumn('mailing_address_line2', 'text')
    .addColumn('mailing_city', 'text')
    .addColumn('mailing_zip', 'text')
    .addColumn('mailing_us_state', 'text')
    .addColumn('mailing_pending_since', 'bigint')
    .addColumn('registration_completed_at', 'bigint')
    .addColumn('verification_state', 'text', (col) =>
      col.notNull().check(sql`verification_state in ('UNVERIFIED', 'PENDING', 'VERIFIED', 'REJECTED')`),
    )
    .addColumn('state_version', 'integer', (col) => col.notNull())
    .addColumn('login_otp_enabled_at', 'bigint')
    .addColumn('failed_login_count', 'integer', (col) => col.notNull())
    .addColumn('locked_until', 'bigint')
    .addColumn('suspended_at', 'bigint')
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    .addUniqueConstraint('app_user_client_email_unique', ['client_id', 'email'])
    .execute()

  await db.schema
    .createTable('contact_verification')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('client_id', 'text', (col) => col.notNull())
    .addColumn('email', 'text', (col) => col.notNull())
    .addColumn('email_verified_at', 'bigint')
    .addColumn('user_id', 'text')
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('expires_at', 'bigint', (col) => col.notNull())
    .execute()

  await db.schema
    .createTable('verification_code')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('client_id', 'text', (col) => col.notNull())
    .addColumn('purpose', 'text', (col) =>
      col.notNull().check(sql`purpose in ('email', 'phone', 'login_otp')`),
    )
    .addColumn('subject', 'text', (col) => col.notNull())
    .addColumn('target', 'text', (col) => col.notNull())
    .addColumn('code_digest', 'text', (col) => col.notNull())
    .addColumn('attempts', 'integer', (col) => col.notNull())
    .addColumn('expires_at', 'bigint', (col) => col.notNull())
    .addColumn('consumed_at', 'bigint')
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .execute()
  await db.schema
    .createIndex('verification_code_subject_idx')
    .on('verification_code')
    .columns(['purpose', 'subject', 'created_at'])
    .execute()
  await db.schema
    .createIndex('verification_code_target_idx')
    .on('verification_code')
    .columns(['purpose', 'target', 'created_at'])
    .execute()

  await db.schema
    .createTable('access_token')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('user_id', 'text', (col) => col.notNull().references('app_user.id').onDelete('cascade'))
    .addColumn('client_id', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('expires_at', 'bigint', (col) => col.notNull())
    .addColumn('revoked_at', 'bigint')
    .execute()
  await db.schema.createIndex('access_token_user_idx').on('access_token').column('user_id').execute()

  await db.schema
    .createTable('outbox_message')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('channel', 'text', (col) => col.notNull().check(sql`channel in ('email', 'sms')`))
    .addColumn('recipient', 'text', (col) => col.notNull())
    .addColumn('subject', 'text')
    .addColumn('body', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .execute()
}
