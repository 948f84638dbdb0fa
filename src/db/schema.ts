import type { Generated, Insertable, Selectable, Updateable } from 'kysely'

/**
 * The database as TypeScript sees it. Conventions (docs/architecture.md): text primary keys, times as
 * epoch milliseconds in bigint columns, no booleans (nullable timestamps or text enums instead), JSON
 * as text parsed in repositories. The same tables exist in every region's database; tenant-wide tables
 * (client, client_allowed_origin) are only read and written in the intl ("home") database.
 * Each text enum an API publishes is an `as const` list with its type derived from it, so the HTTP schemas that publish
 * the values (the route schemas) read the same list and cannot drift from the column's type.
 */
export const CLIENT_MODES = ['sandbox', 'live'] as const
export type ClientMode = (typeof CLIENT_MODES)[number]
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
  /** JSON array of origins allowed to frame the hosted pages (CSP frame-ancestors). */
  frame_ancestors: Generated<string>
  /** 1 when every session of this client must include a proof of address (always required in us). */
  require_proof_of_address: Generated<number>
  /** Where the hosted pages send the user back to when they are done (https or an app link). */
  return_url: string | null
  /** JSON array of document types, narrowing the region's accepted ones; null: the region's. */
  accepted_document_types: string | null
  /** JSON array of alpha-2 issuing countries, narrowing the region's; null: the region's. */
  accepted_issuing_countries: string | null
  /** JSON array of alpha-2 countries refused on top of the region's restricted ones. */
  restricted_countries: Generated<string>
  /** Raises the region's minimum age; null: the region's. */
  minimum_age: number | null
  /** 1 for a public OAuth client: PKCE alone proves possession, no secret is checked at the token endpoint. */
  public_oauth: Generated<number>
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

export type UserStatus = 'active' | 'suspended'
export const VERIFICATION_STATES = ['UNVERIFIED', 'PENDING', 'VERIFIED', 'REJECTED'] as const
export type VerificationState = (typeof VERIFICATION_STATES)[number]

export type AppUserTable = {
  /** UUID: real clients validate user ids as UUIDs. */
  id: string
  client_id: string
  onboarding_id: string
  /** Lower-cased; unique per client. */
  email: string
  password_hash: string
  status: UserStatus
  external_id: string | null
  country_of_residence: string
  marketing_consent_at: number | null
  sms_consent_at: number | null
  phone_country_code: string | null
  phone_number: string | null
  phone_verified_at: number | null
  first_name: string | null
  last_name: string | null
  date_of_birth: string | null
  country_of_nationality: string | null
  /** AES-GCM under a key derived from the server secret; only the last four digits are kept in clear. */
  ssn_sealed: string | null
  ssn_last4: string | null
  address_line1: string | null
  address_line2: string | null
  city: string | null
  zip: string | null
  us_state: string | null
  mailing_address_line1: string | null
  mailing_address_line2: string | null
  mailing_city: string | null
  mailing_zip: string | null
  mailing_us_state: string | null
  /** Set when a US resident said the mailing address differs and has not given it yet. */
  mailing_pending_since: number | null
  registration_completed_at: number | null
  verification_state: VerificationState
  state_version: number
  login_otp_enabled_at: number | null
  /** Until when /v1/auth/login/otp may text a code: set by a login whose password was right. */
  login_challenge_until: number | null
  suspended_at: number | null
  /** Sandbox "reset limits": sessions and decisions before this time no longer count. */
  limits_reset_at: number | null
  created_at: number
  updated_at: number
}

/**
 * Every column of a table, for queries that name their columns (prepared statements: db/prepared.ts).
 * The literal is checked against the table's type: a column added to the table and not listed, or one
 * listed and not in the table, does not compile.
 */
export const allColumns = <Table>(columns: Record<keyof Table, true>): (keyof Table)[] =>
  Object.keys(columns) as (keyof Table)[]

export const APP_USER_COLUMNS = allColumns<AppUserTable>({
  id: true,
  client_id: true,
  onboarding_id: true,
  email: true,
  password_hash: true,
  status: true,
  external_id: true,
  country_of_residence: true,
  marketing_consent_at: true,
  sms_consent_at: true,
  phone_country_code: true,
  phone_number: true,
  phone_verified_at: true,
  first_name: true,
  last_name: true,
  date_of_birth: true,
  country_of_nationality: true,
  ssn_sealed: true,
  ssn_last4: true,
  address_line1: true,
  address_line2: true,
  city: true,
  zip: true,
  us_state: true,
  mailing_address_line1: true,
  mailing_address_line2: true,
  mailing_city: true,
  mailing_zip: true,
  mailing_us_state: true,
  mailing_pending_since: true,
  registration_completed_at: true,
  verification_state: true,
  state_version: true,
  login_otp_enabled_at: true,
  login_challenge_until: true,
  suspended_at: true,
  limits_reset_at: true,
  created_at: true,
  updated_at: true,
})

export type ContactVerificationTable = {
  id: string
  client_id: string
  email: string
  email_verified_at: number | null
  user_id: string | null
  created_at: number
  expires_at: number
}

export const CODE_PURPOSES = ['email', 'phone', 'login_otp'] as const
export type CodePurpose = (typeof CODE_PURPOSES)[number]

export type VerificationCodeTable = {
  id: string
  client_id: string
  purpose: CodePurpose
  /** What the code unlocks: a contact verification id, or a user id for login OTPs. */
  subject: string
  /** Where it was sent (email or E.164 phone), for resend limits. */
  target: string
  /** outbox: a sandbox client's code, never sent to the target (not counted in its global ceiling). */
  delivery: 'provider' | 'outbox'
  code_digest: string
  attempts: number
  expires_at: number
  consumed_at: number | null
  created_at: number
}

export type AccessTokenTable = {
  /** SHA-256 of the token; the token itself is never stored. */
  id: string
  user_id: string
  client_id: string
  created_at: number
  expires_at: number
  revoked_at: number | null
  /** The OAuth refresh-token family that issued it; null for login tokens. */
  oauth_family_id: string | null
}

/** An OAuth authorization code (digest), single use, bound to client, redirect URI, PKCE and user. */
export type OAuthCodeTable = {
  id: string
  client_id: string
  user_id: string
  redirect_uri: string
  code_challenge: string
  /** Space-separated scopes granted. */
  scope: string
  created_at: number
  expires_at: number
  used_at: number | null
  /** The token family its exchange started: revoked if the code is presented again. */
  family_id: string | null
}

/** An OAuth refresh token (digest); rotated on every use, `used_at` set when it was exchanged. */
export type OAuthRefreshTokenTable = {
  id: string
  family_id: string
  client_id: string
  user_id: string
  scope: string
  created_at: number
  expires_at: number
  used_at: number | null
  revoked_at: number | null
}

/** The user's grant to a client (login's isLinked). */
export type OAuthGrantTable = {
  user_id: string
  client_id: string
  scope: string
  granted_at: number
}

/**
 * Wrong passwords counted per account (keyed digest of client and email, known or not) and source
 * address (keyed digest), or per account alone (address_key '*'). A row is reserved before the password
 * is checked, so concurrent guesses cannot overrun the limit.
 */
export type LoginFailureTable = {
  client_id: string
  email_key: string
  address_key: string
  failures: number
  window_started_at: number
  locked_until: number | null
}

/** Messages a client sent on a channel in one clock hour (its hourly budget). */
export type MessageBudgetTable = {
  client_id: string
  channel: 'email' | 'sms'
  window_start: number
  sent: number
}

/** The phone numbers a contact verification has sent codes to (at most 3). */
export type ContactVerificationPhoneTable = {
  contact_verification_id: string
  phone: string
  created_at: number
}

/** One row per address codes were sent to; its row lock serializes concurrent issuers. */
export type CodeAddressTable = {
  target: string
  last_code_at: number
}

export type OutboxMessageTable = {
  id: string
  channel: 'email' | 'sms'
  recipient: string
  subject: string | null
  body: string
  created_at: number
}

export const SESSION_KINDS = ['user', 'onboarding'] as const
export type SessionKind = (typeof SESSION_KINDS)[number]
export const SESSION_STATUSES = ['issued', 'opened', 'submitted', 'expired'] as const
export type SessionStatus = (typeof SESSION_STATUSES)[number]
/** abandoned and resubmission_required are failures (3_per_hour); review keeps it in progress. */
export const SESSION_OUTCOMES = [
  'abandoned',
  'resubmission_required',
  'approved',
  'rejected',
  'review',
] as const
export type SessionOutcome = (typeof SESSION_OUTCOMES)[number]

export type VerificationSessionTable = {
  id: string
  client_id: string
  user_id: string
  kind: SessionKind
  status: SessionStatus
  outcome: SessionOutcome | null
  /** JSON array of reasons (see verification/reasons.ts). */
  reasons: string
  created_at: number
  expires_at: number
  opened_at: number | null
  submitted_at: number | null
  outcome_at: number | null
  /** 1 when the user was already VERIFIED at submission (the state stays until the decision). */
  reverification: number
  /** The identity data checked, sealed (AES-GCM bound to the session id) at submission. */
  identity_sealed: string | null
  /** Keyed digest of that identity data (with the full SSN): later checks compare against it. */
  identity_digest: string | null
  /** 1 when the checked identity includes the address (proof of address was part of the submission). */
  identity_includes_address: Generated<number>
}

/** A browser that opened a session: the digest of the secret in its cookie. */
export type SessionClaimTable = { session_id: string; digest: string; created_at: number }

export const REVIEW_ACTIONS = ['approve', 'reject', 'resubmit'] as const
export type ReviewAction = (typeof REVIEW_ACTIONS)[number]

export type ReviewDecisionTable = {
  id: string
  session_id: string
  /** The reviewer's email, as given to `verity review decide` (later: the console's staff account). */
  reviewer: string
  action: ReviewAction
  reason_code: string | null
  note: string | null
  created_at: number
  /** The second reviewer who confirmed a four-eyes decision (`reviewer` proposed it); else null. */
  confirmed_by: string | null
}
export type ReviewDecisionRow = Selectable<ReviewDecisionTable>

export const PENDING_RESOLUTIONS = ['confirmed', 'withdrawn', 'superseded'] as const
export type PendingResolution = (typeof PENDING_RESOLUTIONS)[number]

/**
 * A decision that needs a second person (four-eyes, issue #13 item 4), proposed and not yet applied.
 * At most one per session is open (`resolved_at` null); it is resolved when confirmed (then applied),
 * withdrawn by its proposer, or superseded by a newer proposal or a decision.
 */
export type PendingDecisionTable = {
  id: string
  session_id: string
  action: 'approve' | 'reject'
  reason_code: string | null
  note: string | null
  /** The audit actor who proposed it (`staff:…`, `cli:…`). */
  proposed_by: string
  /** The proposer's email: the confirmer must be someone else. */
  proposed_by_email: string
  created_at: number
  resolved_at: number | null
  resolved_by: string | null
  resolution: PendingResolution | null
}
export type PendingDecisionRow = Selectable<PendingDecisionTable>

/**
 * What the audit log records (issue #13 item 5): who signed in, who saw which personal data, who
 * decided, and every change to staff, clients and users. New actions are added here, at the end.
 */
export const AUDIT_ACTIONS = [
  'staff.sign_in',
  'staff.sign_in_failed',
  'staff.create',
  'staff.disable',
  'staff.reset',
  'case.view',
  'case.view_image',
  'case.decide',
  'case.confirm',
  'alert.resolve',
  'client.create',
  'client.rotate_secret',
  'client.disable',
  'client.enable',
  'client.update',
  'user.suspend',
  'user.unsuspend',
  'user.login_otp',
  'case.withdraw',
  'user.search',
  'user.view',
  'case.export',
  'webhook.create',
  'webhook.update',
  'webhook.delete',
  'webhook.rotate_key',
  'webhook.test',
  'webhook.replay',
  'staff.enable',
  'staff.sign_out',
  'staff.list',
  'audit.view',
] as const
export type AuditAction = (typeof AUDIT_ACTIONS)[number]

export const AUDIT_SUBJECT_TYPES = [
  'staff',
  'session',
  'document',
  'alert',
  'client',
  'user',
  'webhook',
  'webhook_event',
] as const
export type AuditSubjectType = (typeof AUDIT_SUBJECT_TYPES)[number]

/**
 * One entry of the append-only, hash-chained audit log of a region's database (the audit module owns
 * it; database triggers refuse UPDATE and DELETE). `hash` is HMAC-SHA256 under keys.auditChain over the
 * entry's canonical encoding, `prev_hash` included, so an entry cannot be altered, removed or
 * reordered without `verity audit verify` naming it.
 */
export type AuditLogTable = {
  /** 1, 2, 3… per database, without gaps: a gap is a removed entry. */
  sequence: number
  occurred_at: number
  /** `staff:<id>`, `cli:<os user or reviewer>`, `client:<id>` or `system`. */
  actor: string
  action: AuditAction
  subject_type: AuditSubjectType | null
  subject_id: string | null
  /** JSON object of ids and codes only, never personal data in clear. */
  details: string
  prev_hash: string
  hash: string
}
export type AuditLogRow = Selectable<AuditLogTable>
export const STAFF_ROLES = ['admin', 'reviewer', 'auditor'] as const
export type StaffRole = (typeof STAFF_ROLES)[number]

/** Home database: a member of the compliance team who signs in to the console. */
export type StaffMemberTable = {
  id: string
  /** Normalized (lower case): unique whatever case it is typed in. */
  email: string
  role: StaffRole
  /** Argon2id. */
  password_hash: string
  /** The TOTP secret (base32), AES-GCM-sealed under the staffTotp key with the member's id. */
  totp_secret_sealed: string
  /** The RFC 6238 time step of the last accepted code: no code of that step or an earlier one is taken. */
  totp_last_step: number | null
  disabled_at: number | null
  created_at: number
  /** When the password (and TOTP secret) was last set: creation or reset. */
  password_changed_at: number
}

/** Home database: one console sign-in. The token is never stored, only its SHA-256. */
export type StaffSessionTable = {
  id: string
  token_hash: string
  staff_id: string
  created_at: number
  last_seen_at: number
  /** Absolute end, whatever the activity (STAFF_SESSION_MAX_MS after the sign-in). */
  expires_at: number
  revoked_at: number | null
  source_ip: string | null
}
export type StaffMemberRow = Selectable<StaffMemberTable>
export type StaffSessionRow = Selectable<StaffSessionTable>

export const CHECK_OUTCOMES = ['pass', 'fail', 'inconclusive'] as const
export type CheckOutcome = (typeof CHECK_OUTCOMES)[number]

export type CheckResultTable = {
  session_id: string
  check_id: string
  check_version: string
  outcome: CheckOutcome
  reason_code: string | null
  score: number | null
  /** AES-GCM under keys.checkEvidence, bound to session and check. */
  evidence_sealed: string | null
  /** When its pictures and document text were removed (the session's documents were purged). */
  evidence_redacted_at: Generated<number | null>
  created_at: number
}
export type CheckResultRow = Selectable<CheckResultTable>

export const UPLOAD_FEEDBACK_OUTCOMES = ['ok', 'retake'] as const
export type UploadFeedbackOutcome = (typeof UPLOAD_FEEDBACK_OUTCOMES)[number]

/** What the fast checks said about one upload while the user was still on the page. */
export type UploadFeedbackTable = {
  document_id: string
  session_id: string
  slot: DocumentSlot
  outcome: UploadFeedbackOutcome
  /** A retryable reason from the catalogue when the photo should be taken again. */
  reason_code: string | null
  created_at: number
}

export const FINGERPRINT_KINDS = ['document', 'ssn'] as const
export type FingerprintKind = (typeof FINGERPRINT_KINDS)[number]

/** Region database: the keyed fingerprint of an identity a session's checks saw (duplicate identity). */
export type IdentityFingerprintTable = {
  session_id: string
  kind: FingerprintKind
  client_id: string
  user_id: string
  /** HMAC-SHA256 (keys.identityFingerprints) of the client, the kind and the normalised value, hex. */
  digest: string
  /**
   * For a document: HMAC-SHA256 (keys.documentNumbers) of the client and the normalised number alone,
   * hex, what the console's search compares; null for an SSN and for rows written before migration 0025.
   */
  number_digest: Generated<string | null>
  created_at: number
}
export const SANCTIONS_ENTRY_KINDS = ['individual', 'entity', 'vessel', 'aircraft', 'unknown'] as const
export type SanctionsEntryKind = (typeof SANCTIONS_ENTRY_KINDS)[number]

/** The list file formats `verity sanctions import` reads. */
export const SANCTIONS_FORMATS = ['ofac-sdn-csv', 'un-xml', 'csv'] as const
export type SanctionsFormat = (typeof SANCTIONS_FORMATS)[number]

/** Home database only: one import of one sanctions list (see migration 0010). */
export type SanctionsListVersionTable = {
  id: string
  list_name: string
  format: SanctionsFormat
  file_name: string
  file_sha256: string
  entry_count: number
  name_count: number
  published_at: string | null
  imported_at: number
  replaced_at: number | null
}
export type SanctionsListVersionRow = Selectable<SanctionsListVersionTable>

/** Home database only: one listed person or organisation of a list version. */
export type SanctionsEntryTable = {
  id: string
  version_id: string
  reference: string
  kind: SanctionsEntryKind
  primary_name: string
  /** JSON array of {name, alias, weak, tokens, soundex}. */
  names: string
  /** JSON array of `YYYY-MM-DD`, `YYYY-MM`, `YYYY` or `YYYY/YYYY`. */
  dates_of_birth: string
  /** JSON array of alpha-3 codes. */
  nationalities: string
  /** JSON array. */
  programs: string
  source_line: number
}
export type SanctionsEntryRow = Selectable<SanctionsEntryTable>

export const SCREENING_ALERT_STATUSES = ['open', 'cleared', 'confirmed'] as const
export type ScreeningAlertStatus = (typeof SCREENING_ALERT_STATUSES)[number]

/** Region database: a sanctions hit on a user who was already verified, for a person to resolve. */
export type ScreeningAlertTable = {
  id: string
  client_id: string
  user_id: string
  list_name: string
  entry_reference: string
  list_version_id: string
  score: number
  /** AES-GCM under keys.checkEvidence, bound to the alert id. */
  evidence_sealed: string
  status: ScreeningAlertStatus
  created_at: number
  resolved_at: number | null
  resolved_by: string | null
  resolution_note: string | null
}
export type ScreeningAlertRow = Selectable<ScreeningAlertTable>

export type VerificationStateTransitionTable = {
  id: string
  user_id: string
  version: number
  from_state: VerificationState
  to_state: VerificationState
  cause: string
  session_id: string | null
  reasons: string
  /** For decisions: the digest of the identity data that was decided on (the session's). */
  identity_digest: string | null
  created_at: number
}

export const DOCUMENT_TYPES = ['passport', 'driving_licence', 'id_card', 'residence_permit'] as const
export type DocumentType = (typeof DOCUMENT_TYPES)[number]
export const DOCUMENT_SLOTS = ['document_front', 'document_back', 'selfie', 'proof_of_address'] as const
export type DocumentSlot = (typeof DOCUMENT_SLOTS)[number]
/** The frames of the live selfie's active challenge, one per pose, in the challenge's order. */
export const CHALLENGE_SLOTS = ['challenge_1', 'challenge_2', 'challenge_3'] as const
export type ChallengeSlot = (typeof CHALLENGE_SLOTS)[number]
/** Every slot a stored file can fill: the documents the user uploads, and the challenge frames. */
export type StoredSlot = DocumentSlot | ChallengeSlot

/** A head pose the live selfie's active challenge asks for (the user's own left and right). */
export const CHALLENGE_STEPS = ['left', 'right', 'up', 'down'] as const
export type ChallengeStep = (typeof CHALLENGE_STEPS)[number]

/** Where a session's hosted flow stands. `revision` changes on every accepted form (one-time CSRF tokens). */
export type CaptureProgressTable = {
  session_id: string
  revision: number
  /** Uploads tried in this session, accepted or not (capped: each costs a decode). */
  upload_attempts: Generated<number>
  consented_at: number | null
  document_type: DocumentType | null
  issuing_country: string | null
  /** When the user gave their SSN in this flow (us users who gave none at onboarding). */
  ssn_provided_at: number | null
  /** JSON array of {type, at} events the page reported (camera denied or unsupported). */
  events: string
  /** Set at submission: 1 when the current selfie's challenge was answered, 0 when not; null before. */
  challenge_completed: number | null
  created_at: number
  updated_at: number
}

/**
 * An active challenge issued for one selfie: the poses asked for, chosen by the server when the selfie
 * was stored. A new selfie replaces it (`replaced_at`); the row stays, so late frames for it are told
 * so. Its frames are `document_file` rows in the challenge slots.
 */
export type SelfieChallengeTable = {
  id: string
  session_id: string
  /** The `document_file` id of the selfie this challenge was issued for. */
  selfie_id: string
  /** JSON array of ChallengeStep, in the order asked. */
  steps: string
  issued_at: number
  answered_at: number | null
  replaced_at: number | null
}

export const WEBHOOK_ENDPOINT_STATUSES = ['active', 'inactive', 'disabled'] as const
export type WebhookEndpointStatus = (typeof WEBHOOK_ENDPOINT_STATUSES)[number]

/** Home database only: a client's webhook endpoint. The signing key is sealed, never hashed (it signs). */
export type WebhookEndpointTable = {
  id: string
  client_id: string
  name: string
  url: string
  /** JSON array of subscription patterns: exact types, `category.*` or `*`. */
  event_types: string
  /** JSON object given by the client. */
  metadata: string
  status: WebhookEndpointStatus
  /** Why the server disabled it (410 Gone, failing for days); null otherwise. */
  disabled_reason: string | null
  /** AES-GCM under a key derived from the server secret, bound to the endpoint id. */
  key_sealed: string
  key_last4: string
  /** The key before the last rotation: it keeps signing beside the new one until it expires. */
  previous_key_sealed: string | null
  previous_key_expires_at: number | null
  /** Start of the current run of failed attempts; null after a success. */
  failing_since: number | null
  created_at: number
  updated_at: number
}

/** An uploaded document, stored encrypted in the blob store under `storage_key`. */
export type DocumentFileTable = {
  id: string
  session_id: string
  user_id: string
  slot: StoredSlot
  /** What is stored: image/jpeg for every photo (re-encoded), application/pdf for a PDF. */
  media_type: string
  /** What the bytes were when uploaded, as sniffed (never as declared). */
  original_type: string
  byte_size: number
  width: number | null
  height: number | null
  /** SHA-256 of the stored plaintext, hex. */
  sha256: string
  storage_key: string
  /** The object's own AES-256 key, sealed under the documents master key; '' once purged. */
  wrapped_key: string
  created_at: number
  /** When the retention period ended and the object was destroyed (the row stays as the audit record). */
  purged_at: number | null
}

/** Region database: an event, written in the transaction of the change that caused it. */
export type WebhookEventTable = {
  /** UUID: Baanx's event_id, the receivers' idempotency key. */
  id: string
  client_id: string
  user_id: string | null
  type: string
  /** The exact JSON body delivered (and signed). */
  payload: string
  created_at: number
  /** When its deliveries were written: with the event, to the endpoints subscribed at that moment. */
  dispatched_at: number | null
}

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'success', 'failed'] as const
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number]

/** Region database: one event to one endpoint. */
export type WebhookDeliveryTable = {
  id: string
  event_id: string
  endpoint_id: string
  client_id: string
  status: WebhookDeliveryStatus
  attempts: number
  last_status: number | null
  last_error: string | null
  next_retry_at: number | null
  delivered_at: number | null
  created_at: number
  updated_at: number
}

export const WEBHOOK_ATTEMPT_OUTCOMES = ['success', 'failed'] as const
export type WebhookAttemptOutcome = (typeof WEBHOOK_ATTEMPT_OUTCOMES)[number]

/** Region database: the log of one HTTP attempt, kept 7 days. */
export type WebhookAttemptTable = {
  id: string
  delivery_id: string
  event_id: string
  endpoint_id: string
  client_id: string
  attempt_number: number
  request_url: string
  /** JSON object of the headers sent (signatures included; the key never is). */
  request_headers: string
  response_status: number | null
  /** At most the first 4 KB of the answer. */
  response_body: string | null
  error_message: string | null
  outcome: WebhookAttemptOutcome
  duration_ms: number
  next_retry_at: number | null
  created_at: number
}

/**
 * Region database: the reviewer a case waiting for a person is assigned to, until `expires_at` (the
 * console module owns it). Past that time the next reviewer to open the case takes it over.
 */
export type CaseAssignmentTable = {
  session_id: string
  staff_id: string
  staff_email: string
  assigned_at: number
  expires_at: number
}
export type CaseAssignmentRow = Selectable<CaseAssignmentTable>

/** Consent v2 (Baanx): the types a consent set may hold and the policies that require them. */
export const CONSENT_TYPES = [
  'eSignAct',
  'termsAndPrivacy',
  'marketingNotifications',
  'smsNotifications',
  'emailNotifications',
] as const
export type ConsentType = (typeof CONSENT_TYPES)[number]
export const CONSENT_POLICY_TYPES = ['US', 'global'] as const
export type ConsentPolicyType = (typeof CONSENT_POLICY_TYPES)[number]
/** granted and denied are given; revoked is a later record that supersedes one of them. */
export const CONSENT_STATUSES = ['granted', 'denied', 'revoked'] as const
export type ConsentStatus = (typeof CONSENT_STATUSES)[number]
export const CONSENT_AUDIT_ACTIONS = ['created', 'linked', 'revoked'] as const
export type ConsentAuditAction = (typeof CONSENT_AUDIT_ACTIONS)[number]

/**
 * Region database, append-only (triggers refuse UPDATE and DELETE on the four consent tables; the
 * consent module owns them): the consents a client recorded during a user's onboarding.
 */
export type ConsentSetTable = {
  /** UUID, as the contract shows. */
  id: string
  client_id: string
  onboarding_id: string
  policy_type: ConsentPolicyType
  /** JSON object: the set's metadata as recorded (see consent/service.ts). */
  metadata: string
  created_at: number
}

/** One answer of a consent set; a revocation is a new record whose `supersedes` names the one it revokes. */
export type ConsentRecordTable = {
  /** UUID: the contract's consentId. */
  id: string
  consent_set_id: string
  consent_type: ConsentType
  status: ConsentStatus
  supersedes: string | null
  /** JSON object: ipAddress, userAgent, timestamp, clientId and what the client added. */
  metadata: string
  created_at: number
}

export type ConsentLinkTable = {
  consent_set_id: string
  user_id: string
  /** 1, 2, … per user: the user's latest link is the set whose answers count. */
  sequence: number
  linked_at: number
}

export type ConsentAuditTable = {
  id: string
  consent_set_id: string
  /** Orders the records written in one request (they share a time). */
  position: number
  action: ConsentAuditAction
  consent_id: string | null
  /** JSON: the state before (null when there was none) and after the change. */
  before: string | null
  after: string
  metadata: string
  created_at: number
}
export type ConsentSetRow = Selectable<ConsentSetTable>
export type ConsentRecordRow = Selectable<ConsentRecordTable>
export type ConsentLinkRow = Selectable<ConsentLinkTable>
export type ConsentAuditRow = Selectable<ConsentAuditTable>

export const CARD_TYPES = ['VIRTUAL', 'PHYSICAL', 'METAL'] as const
export type CardType = (typeof CARD_TYPES)[number]
/** INACTIVE is in the published list because Ledger's schema has it; the simulator never issues one. */
export const CARD_STATUSES = ['ACTIVE', 'FROZEN', 'BLOCKED', 'INACTIVE'] as const
export type CardStatus = (typeof CARD_STATUSES)[number]
/** Who froze a card: its holder may lift only their own freeze. */
export type CardFreezer = 'holder' | 'verification'

/** Region database: a user's card (the cards module owns it). No PAN: its last four digits only. */
export type CardTable = {
  /** 18 digits, as the contract's example. */
  id: string
  client_id: string
  user_id: string
  type: CardType
  status: CardStatus
  frozen_by: CardFreezer | null
  /** 1 while a verification freeze covers a freeze of the holder's own, which its release restores. */
  holder_frozen: number
  holder_name: string
  pan_last4: string
  /** YYYY/MM */
  expiry: string
  processor: string
  processor_ref: string
  ordered_at: number
  updated_at: number
}
export type CardRow = Selectable<CardTable>

export type DB = {
  client: ClientTable
  client_allowed_origin: ClientAllowedOriginTable
  job: JobTable
  capture_progress: CaptureProgressTable
  document_file: DocumentFileTable
  selfie_challenge: SelfieChallengeTable
  app_user: AppUserTable
  contact_verification: ContactVerificationTable
  verification_code: VerificationCodeTable
  access_token: AccessTokenTable
  oauth_code: OAuthCodeTable
  oauth_refresh_token: OAuthRefreshTokenTable
  oauth_grant: OAuthGrantTable
  login_failure: LoginFailureTable
  outbox_message: OutboxMessageTable
  message_budget: MessageBudgetTable
  contact_verification_phone: ContactVerificationPhoneTable
  code_address: CodeAddressTable
  verification_session: VerificationSessionTable
  session_claim: SessionClaimTable
  review_decision: ReviewDecisionTable
  case_assignment: CaseAssignmentTable
  pending_decision: PendingDecisionTable
  audit_log: AuditLogTable
  check_result: CheckResultTable
  upload_feedback: UploadFeedbackTable
  identity_fingerprint: IdentityFingerprintTable
  sanctions_list_version: SanctionsListVersionTable
  sanctions_entry: SanctionsEntryTable
  screening_alert: ScreeningAlertTable
  staff_member: StaffMemberTable
  staff_session: StaffSessionTable
  verification_state_transition: VerificationStateTransitionTable
  webhook_endpoint: WebhookEndpointTable
  webhook_event: WebhookEventTable
  webhook_delivery: WebhookDeliveryTable
  webhook_attempt: WebhookAttemptTable
  consent_set: ConsentSetTable
  consent_record: ConsentRecordTable
  consent_link: ConsentLinkTable
  consent_audit: ConsentAuditTable
  card: CardTable
}

export type ClientRow = Selectable<ClientTable>
export type NewClientRow = Insertable<ClientTable>
export type ClientUpdate = Updateable<ClientTable>
export type JobRow = Selectable<JobTable>
export type UserRow = Selectable<AppUserTable>
export type SessionRow = Selectable<VerificationSessionTable>
export type CaptureProgressRow = Selectable<CaptureProgressTable>
export type DocumentFileRow = Selectable<DocumentFileTable>
export type SelfieChallengeRow = Selectable<SelfieChallengeTable>
export type WebhookEndpointRow = Selectable<WebhookEndpointTable>
export type WebhookEventRow = Selectable<WebhookEventTable>
export type WebhookDeliveryRow = Selectable<WebhookDeliveryTable>
export type WebhookAttemptRow = Selectable<WebhookAttemptTable>
