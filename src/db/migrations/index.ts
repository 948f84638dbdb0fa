import type { Migration } from 'kysely'
import * as m0001 from './0001_foundation.ts'
import * as m0002 from './0002_accounts.ts'
import * as m0003 from './0003_verification.ts'
import * as m0004 from './0004_webhooks.ts'
import * as m0005 from './0005_capture.ts'
import * as m0006 from './0006_account_security.ts'
import * as m0007 from './0007_message_budgets.ts'
import * as m0008 from './0008_review_decisions.ts'
import * as m0009 from './0009_check_results.ts'
import * as m0010 from './0010_sanctions.ts'
import * as m0011 from './0011_identity_policy.ts'
import * as m0012 from './0012_selfie_challenge.ts'
import * as m0013 from './0013_review_queue_index.ts'
import * as m0014 from './0014_upload_feedback.ts'
import * as m0015 from './0015_evidence_redaction.ts'
import * as m0016 from './0016_audit_log.ts'
import * as m0017 from './0017_staff.ts'
import * as m0018 from './0018_pending_decisions.ts'
import * as m0019 from './0019_case_assignment.ts'
import * as m0020 from './0020_webhook_event_user_index.ts'
import * as m0021 from './0021_consent.ts'
import * as m0022 from './0022_cards.ts'
import * as m0023 from './0023_oauth.ts'
import * as m0024 from './0024_public_clients.ts'
import * as m0025 from './0025_document_number_search.ts'
import * as m0026 from './0026_card_holder_freeze.ts'
import * as m0027 from './0027_session_limit_indexes.ts'

/** Every migration, in order. Names are permanent: never rename or edit one that has shipped. */
export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_accounts': m0002,
  '0003_verification': m0003,
  '0004_webhooks': m0004,
  '0005_capture': m0005,
  '0006_account_security': m0006,
  '0007_message_budgets': m0007,
  '0008_review_decisions': m0008,
  '0009_check_results': m0009,
  '0010_sanctions': m0010,
  '0011_identity_policy': m0011,
  '0012_selfie_challenge': m0012,
  '0013_review_queue_index': m0013,
  '0014_upload_feedback': m0014,
  '0015_evidence_redaction': m0015,
  '0016_audit_log': m0016,
  '0017_staff': m0017,
  '0018_pending_decisions': m0018,
  '0019_case_assignment': m0019,
  '0020_webhook_event_user_index': m0020,
  '0021_consent': m0021,
  '0022_cards': m0022,
  '0023_oauth': m0023,
  '0024_public_clients': m0024,
  '0025_document_number_search': m0025,
  '0026_card_holder_freeze': m0026,
  '0027_session_limit_indexes': m0027,
}
