import type { Queryable, RegionDatabase } from '../../db/database.ts'
import type { DocumentSlot, SessionRow, UserRow, VerificationState } from '../../db/schema.ts'
import type { Reason } from './reasons.ts'

/** A user's verificationState moved (written by `applyVerificationEvent`, the only writer). */
export type StateChanged = {
  kind: 'state-changed'
  database: RegionDatabase
  /** The user as the change left them. */
  user: UserRow
  from: VerificationState
  to: VerificationState
  version: number
  sessionId: string | null
  reasons: readonly Reason[]
  at: number
}

/** A session was submitted: its documents and the identity they are judged against are sealed. */
export type SessionSubmitted = {
  kind: 'session-submitted'
  database: RegionDatabase
  session: SessionRow
  user: UserRow
  /** The client was in sandbox mode when the user submitted: the magic names decide. */
  sandbox: boolean
  at: number
}

/**
 * A photo (or PDF) was stored for a step of a session's hosted flow, replacing any earlier one of that
 * step: the checks give the user feedback on it while they are still on the page.
 */
export type UploadStored = {
  kind: 'upload-stored'
  database: RegionDatabase
  sessionId: string
  documentId: string
  slot: DocumentSlot
  sandbox: boolean
  at: number
}

export type VerificationChange = StateChanged | SessionSubmitted | UploadStored

/**
 * Runs inside the transaction of the change, with that transaction: what it writes commits with the
 * change or not at all, and a subscriber that throws undoes the change.
 */
export type VerificationSubscriber = (trx: Queryable, change: VerificationChange) => Promise<void>

/**
 * How verification tells other features (webhooks, checks, and later review, cards, consent) what
 * happened without importing them: they subscribe in the composition root (src/runtime.ts).
 */
export type VerificationChanges = {
  subscribe(subscriber: VerificationSubscriber): void
  publish(trx: Queryable, change: VerificationChange): Promise<void>
}

export const createVerificationChanges = (): VerificationChanges => {
  const subscribers: VerificationSubscriber[] = []
  return {
    subscribe: (subscriber) => {
      subscribers.push(subscriber)
    },
    // One after the other, in subscription order: they share the transaction's single connection.
    publish: async (trx, change) => {
      for (const subscriber of subscribers) await subscriber(trx, change)
    },
  }
}
