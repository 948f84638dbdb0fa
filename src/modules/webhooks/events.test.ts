import { describe, expect, it } from 'vitest'
import type { UserRow } from '../../db/schema.ts'
import { reason } from '../verification/index.ts'
import { kycStatusChanged, type StateChangeFacts } from './events.ts'

const user = { id: 'b1c0e7a2-0000-4000-8000-000000000001', external_id: 'partner-42' } as UserRow
const facts = (
  from: StateChangeFacts['from'],
  to: StateChangeFacts['to'],
  reasons = [] as StateChangeFacts['reasons'],
) =>
  kycStatusChanged('e1', { user, from, to, version: 3, reasons, at: Date.UTC(2026, 0, 6, 14, 50, 31, 481) })

describe('kyc.status.changed', () => {
  it('maps PENDING, VERIFIED and REJECTED to pending, completed and failed', () => {
    expect(facts('UNVERIFIED', 'PENDING').event_object_changes).toEqual({ status: ['unverified', 'pending'] })
    expect(facts('PENDING', 'VERIFIED')).toMatchObject({
      event_object_status: 'completed',
      event_object: { status: 'completed', failure_code: null, failure_reason: null },
      occurred_at: '2026-01-06T14:50:31.481Z',
      user_external_id: 'partner-42',
    })
    expect(facts('PENDING', 'REJECTED', [reason('DOCUMENT_TAMPERED')]).event_object).toEqual({
      status: 'failed',
      failure_code: '102',
      failure_reason: 'The document appears to have been altered.',
    })
  })

  it('a resubmission request is unverified with its 2xx failure code, not a rejection', () => {
    expect(facts('PENDING', 'UNVERIFIED', [reason('POOR_IMAGE_QUALITY')])).toMatchObject({
      event_object_status: 'unverified',
      event_object_changes: { status: ['pending', 'unverified'] },
      event_object: { status: 'unverified', failure_code: '204' },
    })
  })

  it('a decision without reasons carries null failure fields', () => {
    expect(facts('PENDING', 'REJECTED').event_object).toEqual({
      status: 'failed',
      failure_code: null,
      failure_reason: null,
    })
  })
})
