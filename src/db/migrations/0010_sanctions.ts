import { type Kysely, sql } from 'kysely'

// Sanctions lists the operator imports (`verity sanctions import`), and the alerts that re-screening
// opens on users who were already verified.
//
// Lists are operator-wide reference data, not personal data of any user: they are written and read in
// the home (intl) database only, like the clients, so that a new version replaces the old one in one
// transaction (a copy per region could not be replaced atomically). Screening runs wherever the user's
// data lives: the worker reads the list from home, screens in memory and writes any alert into the
// user's own region database (screening_alert). The tables exist in every database (the convention of
// schema.ts); sanctions_* stay empty outside home.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sanctions_list_version')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('list_name', 'text', (col) => col.notNull())
    .addColumn('format', 'text', (col) => col.notNull())
    .addColumn('file_name', 'text', (col) => col.notNull())
    /** SHA-256 of the imported file(s), hex: which publication this is (Watchman hashes each file too). */
    .addColumn('file_sha256', 'text', (col) => col.notNull())
    .addColumn('entry_count', 'integer', (col) => col.notNull())
    .addColumn('name_count', 'integer', (col) => col.notNull())
    /** When the publisher generated the file, when it says so (the UN list's dateGenerated). */
    .addColumn('published_at', 'text')
    .addColumn('imported_at', 'bigint', (col) => col.notNull())
    /** Set when a newer import replaced this version; its entries are deleted then, the row stays. */
    .addColumn('replaced_at', 'bigint')
    .execute()
  // One current version per list: a second import racing the first cannot leave two.
  await db.schema
    .createIndex('sanctions_list_version_current')
    .on('sanctions_list_version')
    .column('list_name')
    .unique()
    .where(sql.ref('replaced_at'), 'is', null)
    .execute()

  await db.schema
    .createTable('sanctions_entry')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('version_id', 'text', (col) => col.notNull().references('sanctions_list_version.id'))
    /** The publisher's own id (OFAC ent_num, UN REFERENCE_NUMBER or DATAID): stable across versions. */
    .addColumn('reference', 'text', (col) => col.notNull())
    .addColumn('kind', 'text', (col) =>
      col.notNull().check(sql`kind in ('individual', 'entity', 'vessel', 'aircraft', 'unknown')`),
    )
    .addColumn('primary_name', 'text', (col) => col.notNull())
    /** JSON array of {name, alias, weak, tokens, soundex}: normalised at import, for screening. */
    .addColumn('names', 'text', (col) => col.notNull())
    /** JSON array of `YYYY-MM-DD`, `YYYY-MM`, `YYYY` or `YYYY/YYYY` (a range of years). */
    .addColumn('dates_of_birth', 'text', (col) => col.notNull())
    /** JSON array of ISO 3166-1 alpha-3 codes. */
    .addColumn('nationalities', 'text', (col) => col.notNull())
    /** JSON array of the programmes or regimes the entry is listed under. */
    .addColumn('programs', 'text', (col) => col.notNull())
    /** Where in the imported file the entry starts (1-based), for the reviewer. */
    .addColumn('source_line', 'integer', (col) => col.notNull())
    .execute()
  await db.schema.createIndex('sanctions_entry_version').on('sanctions_entry').column('version_id').execute()

  await db.schema
    .createTable('screening_alert')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('client_id', 'text', (col) => col.notNull())
    .addColumn('user_id', 'text', (col) => col.notNull().references('app_user.id'))
    .addColumn('list_name', 'text', (col) => col.notNull())
    .addColumn('entry_reference', 'text', (col) => col.notNull())
    /** The version whose import found it (in the home database). */
    .addColumn('list_version_id', 'text', (col) => col.notNull())
    .addColumn('score', 'real', (col) => col.notNull())
    /** The screened names, the listed entry and the matched tokens: AES-GCM bound to the alert id. */
    .addColumn('evidence_sealed', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) =>
      col.notNull().check(sql`status in ('open', 'cleared', 'confirmed')`),
    )
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('resolved_at', 'bigint')
    .addColumn('resolved_by', 'text')
    .addColumn('resolution_note', 'text')
    .execute()
  // A hit is raised once per user and listed entry: screening again (another import, a retried job)
  // neither duplicates it nor reopens one a person already cleared.
  await db.schema
    .createIndex('screening_alert_hit')
    .on('screening_alert')
    .columns(['user_id', 'list_name', 'entry_reference'])
    .unique()
    .execute()
  await db.schema
    .createIndex('screening_alert_status')
    .on('screening_alert')
    .columns(['status', 'created_at'])
    .execute()
}
