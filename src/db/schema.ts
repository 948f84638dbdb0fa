import type { Insertable, Selectable, Updateable } from 'kysely'

/**
 * The database as TypeScript sees it. Conventions (docs/architecture.md): text primary keys, times as
 * epoch milliseconds in bigint columns, no booleans (nullable timestamps or text enums instead), JSON
 * as text parsed in repositories. The same tables exist in every region's database; tenant-wide tables
 * (client, client_allowed_origin) are only read and written in the intl ("home") database.
 */
export type ClientMode = 'sandbox' | 'live'
export type ClientStatus = 'active' | 'disabled'

export type ClientTable = {
  id: string
  name: string
  mode: ClientMode
  /** JSON array of regions, e.g. ["intl","us"]. */
  regions: string
  client_key: string
  secret_hash: string
  secret_hint: string
  status: ClientStatus
  /** JSON array of exact redirect URIs. */
  redirect_uris: string
  created_at: number
  updated_at: number
  secret_rotated_at: number
  disabled_at: number | null
}

export type ClientAllowedOriginTable = {
  client_id: string
  origin: string
}

export type JobStatus = 'pending' | 'running' | 'done' | 'dead'

export type JobTable = {
  id: string
  type: string
  /** JSON text. */
  payload: string
  status: JobStatus
  run_at: number
  attempts: number
  max_attempts: number
  /** Random per claim: completing or extending a job needs the token of the current claim. */
  lock_token: string | null
  locked_until: number | null
  last_error: string | null
  /** Makes enqueueing idempotent, e.g. one row per recurring slot. */
  dedupe_key: string | null
  created_at: number
  updated_at: number
  finished_at: number | null
}

export type DB = {
  client: ClientTable
  client_allowed_origin: ClientAllowedOriginTable
  job: JobTable
}

export type ClientRow = Selectable<ClientTable>
export type NewClientRow = Insertable<ClientTable>
export type ClientUpdate = Updateable<ClientTable>
export type JobRow = Selectable<JobTable>
