import type { Queryable, RegionDatabase } from '../../db/database.ts'
import type { SessionRow, UserRow } from '../../db/schema.ts'
import { type Clock, isoTime } from '../../lib/clock.ts'
import { AppError } from '../../lib/errors.ts'
import type { Keys } from '../../lib/keys.ts'
import { lockUser } from '../users/index.ts'
import type { VerificationChanges } from './changes.ts'
import { identityDigest, identitySnapshot, openIdentity, sealIdentity } from './identity.ts'
import { readLimitFacts } from './limit-facts.ts'
import { checkedIdentityScope, findSession, listUserSessions, markSessionSubmitted } from './repo.ts'
import { applyVerificationEvent } from './state.ts'

export type SubmissionDeps = { clock: Clock; keys: Keys; verificationChanges: VerificationChanges }

/** What a submission holds beyond the documents: whether proof of address was among them. */
export type SubmissionContents = { includesAddress: boolean }

/**
 * Submits an opened session: one transaction moves the session to `submitted`, the user to PENDING (or
 * keeps VERIFIED during a re-verification) and publishes `session-submitted`, on which the checks
 * enqueue the job that decides it (src/modules/checks). Submitting again is a no-op. `precondition`
 * runs first inside that transaction (the hosted flow checks there that every document is in), so a
 * refused submission changes nothing.
 */
export const submitSession = async (
  deps: SubmissionDeps,
  database: RegionDatabase,
  sessionId: string,
  sandbox: boolean,
  precondition?: (trx: Queryable) => Promise<SubmissionContents>,
): Promise<SessionRow> =>
  database.db.transaction().execute(async (trx) => {
    const now = deps.clock.now()
    const session = await findSession(trx, sessionId)
    if (!session) throw new AppError('NOT_FOUND', { message: 'No such verification session' })
    if (session.status === 'submitted') return session
    if (session.status !== 'opened' || session.expires_at <= now) {
      throw new AppError('CONFLICT', { message: 'This verification session can no longer be submitted' })
    }
    const contents = (await precondition?.(trx)) ?? { includesAddress: false }
    const user = await lockUser(database, trx, session.user_id)
    if (!user) throw new AppError('NOT_FOUND', { message: 'No such user' })
    // What the checks and reviewers judge the documents against; from now on it cannot change.
    const identity = identitySnapshot(user, contents.includesAddress)
    const facts = await readLimitFacts(trx, user, now)
    if (facts.inProgress) throw new AppError('VERIFICATION_IN_PROGRESS')
    const pending = await applyVerificationEvent(trx, deps, {
      database,
      user,
      event: { type: 'submitted' },
      sessionId: session.id,
    })
    const submitted = await markSessionSubmitted(trx, session.id, {
      submitted_at: now,
      reverification: user.verification_state === 'VERIFIED' ? 1 : 0,
      identity_sealed: sealIdentity(deps.keys, session.id, identity),
      identity_digest: identityDigest(deps.keys, user, identity),
      identity_includes_address: contents.includesAddress ? 1 : 0,
    })
    if (!submitted)
      throw new AppError('CONFLICT', { internal: `session ${session.id} left opened meanwhile` })
    await deps.verificationChanges.publish(trx, {
      kind: 'session-submitted',
      database,
      session: submitted,
      user: pending,
      sandbox,
      at: now,
    })
    return submitted
  })

/**
 * Runs `change` while the user's identity data may still change: before any submission (and, for the
 * address, before any submission with proof of address), under the user's lock so that no submission
 * can slip in between the check and the change. Refuses with IDENTITY_FROZEN otherwise.
 */
export const whileIdentityUnchecked = async <T>(
  database: RegionDatabase,
  userId: string,
  part: 'identity' | 'address',
  change: (trx: Queryable) => Promise<T>,
): Promise<T> =>
  database.db.transaction().execute(async (trx) => {
    await lockUser(database, trx, userId)
    const checked = await checkedIdentityScope(trx, userId)
    if (part === 'identity' ? checked.identity : checked.address)
      throw new AppError('IDENTITY_FROZEN', {
        message:
          part === 'identity'
            ? 'Names, date of birth, nationality and SSN cannot change once documents were submitted for verification'
            : 'The address cannot change once a proof of address was submitted for verification',
      })
    return change(trx)
  })

/**
 * What the latest submission was checked against (for operators and reviewers), and whether the user's
 * data still says the same: the digest covers the full SSN, which the snapshot itself does not keep.
 */
export const checkedIdentity = async (keys: Keys, database: RegionDatabase, user: UserRow) => {
  const latest = (await listUserSessions(database.db, user.id, 50)).find(
    (session) => session.identity_sealed !== null && session.identity_digest !== null,
  )
  if (!latest?.identity_sealed) return null
  const identity = openIdentity(keys, latest.id, latest.identity_sealed)
  return {
    sessionId: latest.id,
    submittedAt: isoTime(latest.submitted_at),
    outcome: latest.outcome,
    digest: latest.identity_digest,
    identity,
    matchesCurrentData:
      identityDigest(keys, user, identitySnapshot(user, identity.address !== null)) ===
      latest.identity_digest,
  }
}
