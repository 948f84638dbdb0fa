import type { Queryable, RegionDatabase } from '../../db/database.ts'
import type { UserRow } from '../../db/schema.ts'
import type { Clock } from '../../lib/clock.ts'
import { AppError } from '../../lib/errors.ts'
import { newId } from '../../lib/ids.ts'
import { recordVerificationState } from '../users/index.ts'
import type { VerificationChanges } from './changes.ts'
import type { Reason } from './reasons.ts'
import { insertTransition } from './repo.ts'
import { nextState, type VerificationEvent } from './state-machine.ts'

export type StateWriterDeps = { clock: Clock; verificationChanges: VerificationChanges }

export type StateChange = {
  database: RegionDatabase
  user: UserRow
  event: VerificationEvent
  sessionId: string | null
  reasons?: Reason[]
  reverifying?: boolean
  /** For decisions: the digest of the identity data decided on (see identity.ts). */
  identityDigest?: string | null
}

/**
 * The only writer of `verification_state`. Applies an event to the user as read by the caller: an illegal
 * transition is refused, and so is a stale one (the user changed since it was read) thanks to the
 * conditional update on `state_version`. Each change is recorded with its cause and published to the
 * subscribers (webhooks write their events and deliveries) in the same transaction, so they exist if and
 * only if the change commits. Run it inside the transaction of the change that causes it.
 */
export const applyVerificationEvent = async (
  trx: Queryable,
  deps: StateWriterDeps,
  change: StateChange,
): Promise<UserRow> => {
  const { user, event } = change
  const result = nextState(user.verification_state, event, { reverifying: change.reverifying ?? false })
  if (result.kind === 'illegal') {
    throw new AppError('STATE_CONFLICT', {
      internal: `illegal ${event.type} for user ${user.id}: ${result.reason}`,
    })
  }
  if (result.kind === 'unchanged') return user
  const now = deps.clock.now()
  const version = user.state_version + 1
  const updated = await recordVerificationState(trx, user, { state: result.to, version, at: now })
  if (!updated)
    throw new AppError('STATE_CONFLICT', {
      internal: `stale ${event.type} for user ${user.id} at version ${user.state_version}`,
    })
  await insertTransition(trx, {
    id: newId('transition'),
    user_id: user.id,
    version,
    from_state: result.from,
    to_state: result.to,
    cause: event.type === 'decided' ? `decided:${event.decision}` : event.type,
    session_id: change.sessionId,
    reasons: JSON.stringify(change.reasons ?? []),
    identity_digest: change.identityDigest ?? null,
    created_at: now,
  })
  await deps.verificationChanges.publish(trx, {
    kind: 'state-changed',
    database: change.database,
    user: updated,
    from: result.from,
    to: result.to,
    version,
    sessionId: change.sessionId,
    reasons: change.reasons ?? [],
    at: now,
  })
  return updated
}
