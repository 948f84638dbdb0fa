import type { Queryable } from '../../db/database.ts'
import type { UserRow } from '../../db/schema.ts'
import type { Clock } from '../../lib/clock.ts'
import { AppError } from '../../lib/errors.ts'
import { newId } from '../../lib/ids.ts'
import { type EndpointReader, recordStateChangeEvents } from '../webhooks/events.ts'
import type { Reason } from './reasons.ts'
import { nextState, type VerificationEvent } from './state-machine.ts'

export type StateChange = {
  user: UserRow
  event: VerificationEvent
  sessionId: string | null
  reasons?: Reason[]
  reverifying?: boolean
  /** For decisions: the digest of the identity data decided on (see identity.ts). */
  identityDigest?: string | null
  /** Where the client's webhook endpoints are read (its deliveries are written with the change). */
  endpoints: EndpointReader
}

/**
 * The only writer of `verification_state`. Applies an event to the user as read by the caller: an illegal
 * transition is refused, and so is a stale one (the user changed since it was read) thanks to the
 * conditional update on `state_version`. Each change is recorded with its cause, and its webhook events
 * are written beside it. Run it inside the transaction of the change that causes it.
 */
export const applyVerificationEvent = async (
  db: Queryable,
  clock: Clock,
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
  const now = clock.now()
  const version = user.state_version + 1
  const updated = await db
    .updateTable('app_user')
    .set({ verification_state: result.to, state_version: version, updated_at: now })
    .where('id', '=', user.id)
    .where('state_version', '=', user.state_version)
    .returningAll()
    .executeTakeFirst()
  if (!updated)
    throw new AppError('STATE_CONFLICT', {
      internal: `stale ${event.type} for user ${user.id} at version ${user.state_version}`,
    })
  await db
    .insertInto('verification_state_transition')
    .values({
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
    .execute()
  await recordStateChangeEvents(
    db,
    clock,
    {
      user: updated,
      from: result.from,
      to: result.to,
      version,
      reasons: change.reasons ?? [],
      at: now,
    },
    change.endpoints,
  )
  return updated
}

export const stateHistory = (db: Queryable, userId: string) =>
  db
    .selectFrom('verification_state_transition')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('version')
    .execute()
