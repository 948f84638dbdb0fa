import type { Databases, Queryable, RegionDatabase } from '../../db/database.ts'
import type { SessionKind, SessionOutcome, SessionRow, UserRow } from '../../db/schema.ts'
import { enqueueJob } from '../../jobs/queue.ts'
import type { JobSignal } from '../../jobs/signal.ts'
import type { Clock } from '../../lib/clock.ts'
import { AppError } from '../../lib/errors.ts'
import { newId } from '../../lib/ids.ts'
import type { Keys } from '../../lib/keys.ts'
import type { ClientScope } from '../clients/scope.ts'
import { findOnboardingUser } from '../users/onboarding-id.ts'
import { endpointReader } from '../webhooks/events.ts'
import { checkSubmission } from './check-job-type.ts'
import { identityDigest, identitySnapshot, openIdentity, sealIdentity } from './identity.ts'
import { DAY_MS, evaluateLimits, type LimitFacts, type LimitVerdict } from './limits.ts'
import type { Reason } from './reasons.ts'
import {
  checkedIdentityScope,
  expireDueSessions,
  findSession,
  insertSession,
  latestTransitionTo,
  listUserSessions,
  lockUser,
  recentOutcomes,
  sessionsSince,
} from './repo.ts'
import { sessionLinkToken, sessionUrl } from './session-links.ts'
import { applyVerificationEvent } from './state.ts'

export type VerificationDeps = {
  clock: Clock
  keys: Keys
  jobSignal: JobSignal
  config: { PUBLIC_URL: string }
  /** For the home database, where the webhook endpoints a state change delivers to are read. */
  databases: Databases
}

export const USER_SESSION_TTL_MS = DAY_MS
export const ONBOARDING_SESSION_TTL_MS = 7 * DAY_MS
/** Job that decides a submission; the sandbox handler is in modules/sandbox, real checks come later. */
/** The job that checks and decides a submission (for sandbox clients: by the magic names). */
export type CheckSubmissionPayload = { sessionId: string; sandbox: boolean }

// ---- limits ---------------------------------------------------------------------------------------

const readFacts = async (
  db: Queryable,
  user: UserRow,
  now: number,
): Promise<LimitFacts & { inProgress: boolean }> => {
  const resetAt = user.limits_reset_at ?? 0
  const windowStart = Math.max(now - DAY_MS, resetAt)
  const [sessions, outcomes, rejection] = await Promise.all([
    sessionsSince(db, user.id, windowStart),
    recentOutcomes(db, user.id, resetAt, 3),
    user.verification_state === 'REJECTED'
      ? latestTransitionTo(db, user.id, 'REJECTED')
      : Promise.resolve(undefined),
  ])
  return {
    now,
    createdInLastDay: sessions
      .filter((session) => session.created_at > windowStart)
      .map((session) => session.created_at),
    activeExpiries: sessions
      .filter(
        (session) => (session.status === 'issued' || session.status === 'opened') && session.expires_at > now,
      )
      .map((session) => session.expires_at),
    recentOutcomes: outcomes.map((row) => ({
      outcome: row.outcome as SessionOutcome,
      at: row.outcome_at as number,
    })),
    rejectedAt: rejection && rejection.created_at > resetAt ? rejection.created_at : undefined,
    // Submitted and not decided yet (checks running, or waiting for a reviewer).
    inProgress: sessions.some(
      (session) =>
        session.status === 'submitted' && (session.outcome === null || session.outcome === 'review'),
    ),
  }
}

const refuse = (verdict: Extract<LimitVerdict, { allowed: false }>): AppError =>
  new AppError('RATE_LIMITED', {
    body: { retryAfter: verdict.retryAfterSeconds, limit: verdict.limit },
    headers: { 'retry-after': String(verdict.retryAfterSeconds) },
  })

// ---- creating sessions ----------------------------------------------------------------------------

export type IssuedSession = {
  sessionUrl: string
  sessionId: string
  expiresAt: string
  /** The daily quota after this session, for RateLimit-* headers; absent when an existing link is returned. */
  quota?: { limit: number; remaining: number; resetSeconds: number }
}

const present = (
  deps: VerificationDeps,
  region: RegionDatabase['region'],
  session: SessionRow,
): IssuedSession => ({
  sessionUrl: sessionUrl(deps.config.PUBLIC_URL, sessionLinkToken(deps.keys.sessionUrls, region, session.id)),
  sessionId: session.id,
  expiresAt: new Date(session.expires_at).toISOString(),
})

const newSessionRow = (scope: ClientScope, user: UserRow, kind: SessionKind, now: number) => ({
  id: newId('session'),
  client_id: scope.client.id,
  user_id: user.id,
  kind,
  status: 'issued' as const,
  outcome: null,
  reasons: '[]',
  created_at: now,
  expires_at: now + (kind === 'user' ? USER_SESSION_TTL_MS : ONBOARDING_SESSION_TTL_MS),
  opened_at: null,
  submitted_at: null,
  outcome_at: null,
  reverification: 0,
})

/**
 * Documents are checked against the registered identity, so a link needs it: the personal details, and
 * the address where proof of address will be asked for (us, or clients that require it).
 */
const IDENTITY_STEPS = {
  PHONE_NUMBER: 'phone verification (register/phone/verify)',
  PERSONAL_INFORMATION: 'personal details (register/personal-details)',
  PHYSICAL_ADDRESS: 'the address (register/address)',
} as const

const requireIdentityToCheck = (scope: ClientScope, user: UserRow): void => {
  const needsAddress = scope.region === 'us' || scope.client.requireProofOfAddress
  const missingStep: keyof typeof IDENTITY_STEPS | undefined =
    user.phone_verified_at === null
      ? 'PHONE_NUMBER'
      : user.first_name === null
        ? 'PERSONAL_INFORMATION'
        : needsAddress && user.address_line1 === null
          ? 'PHYSICAL_ADDRESS'
          : undefined
  if (missingStep)
    throw new AppError('ONBOARDING_STEP_MISSING', {
      message: `Complete ${IDENTITY_STEPS[missingStep]} before verifying documents`,
      body: { missingStep },
    })
}

/**
 * Checks the limits and creates a session in one transaction that holds the user's lock, so that no
 * number of concurrent requests can exceed them. `reuse` returns an active onboarding link instead.
 */
const issueSession = async (
  deps: VerificationDeps,
  scope: ClientScope,
  userId: string,
  kind: SessionKind,
): Promise<IssuedSession> => {
  const { database } = scope
  return database.db.transaction().execute(async (trx) => {
    const now = deps.clock.now()
    const user = await lockUser(database, trx, userId)
    if (!user) throw new AppError('NOT_AUTHENTICATED', { internal: 'user vanished' })
    requireIdentityToCheck(scope, user)
    await expireDueSessions(trx, now, user.id)
    const facts = await readFacts(trx, user, now)
    if (facts.inProgress) throw new AppError('VERIFICATION_IN_PROGRESS')
    if (kind === 'onboarding') {
      // Reusable until submitted, from any device: the same link while it is active.
      const active = await trx
        .selectFrom('verification_session')
        .selectAll()
        .where('user_id', '=', user.id)
        .where('kind', '=', 'onboarding')
        .where('status', 'in', ['issued', 'opened'])
        .where('expires_at', '>', now)
        .orderBy('created_at', 'desc')
        .executeTakeFirst()
      if (active) return present(deps, database.region, active)
    }
    const verdict = evaluateLimits(facts)
    if (!verdict.allowed) throw refuse(verdict)
    const session = await insertSession(trx, newSessionRow(scope, user, kind, now))
    return {
      ...present(deps, database.region, session),
      quota: { limit: 10, remaining: verdict.dailyRemaining, resetSeconds: verdict.dailyResetSeconds },
    }
  })
}

/** GET /v1/user/verification: a new single-use link, valid 24 h. */
export const createUserSession = (deps: VerificationDeps, scope: ClientScope, user: UserRow) =>
  issueSession(deps, scope, user.id, 'user')

/** POST /v1/auth/register/verification: the onboarding link (7 days, reusable until submitted). */
export const getOnboardingSession = async (
  deps: VerificationDeps,
  scope: ClientScope,
  onboardingId: string,
) => {
  const user = await findOnboardingUser(scope.database.db, scope.client.id, onboardingId, deps.clock.now())
  if (!user) throw new AppError('INVALID_ONBOARDING_ID')
  return issueSession(deps, scope, user.id, 'onboarding')
}

// ---- listing --------------------------------------------------------------------------------------

export const sessionStatusAt = (session: SessionRow, now: number) =>
  (session.status === 'issued' || session.status === 'opened') && session.expires_at <= now
    ? 'expired'
    : session.status

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

/** The user's sessions, newest first, with user-safe reasons; never their links. */
export const listSessions = async (
  deps: Pick<VerificationDeps, 'clock'>,
  scope: ClientScope,
  user: UserRow,
  limit = 50,
) => {
  const now = deps.clock.now()
  const rows = await listUserSessions(scope.database.db, user.id, limit)
  return rows.map((session) => ({
    id: session.id,
    kind: session.kind,
    status: sessionStatusAt(session, now),
    outcome:
      session.outcome ??
      (sessionStatusAt(session, now) === 'expired' && session.opened_at !== null ? 'abandoned' : null),
    reasons: JSON.parse(session.reasons) as Reason[],
    createdAt: iso(session.created_at) as string,
    openedAt: iso(session.opened_at),
    submittedAt: iso(session.submitted_at),
    decidedAt: session.outcome === 'abandoned' ? null : iso(session.outcome_at),
    expiresAt: iso(session.expires_at) as string,
  }))
}

// ---- submission and decision (driven by the hosted flow, the checks and the reviewers) -------------

/**
 * Submits an opened session: one transaction moves the session to `submitted`, the user to PENDING (or
 * keeps VERIFIED during a re-verification) and enqueues the job that checks and decides it. Submitting
 * again is a no-op. `precondition` runs first inside that transaction (the hosted flow checks there
 * that every document is in), so a refused submission changes nothing.
 */
export const submitSession = async (
  deps: Pick<VerificationDeps, 'clock' | 'jobSignal' | 'databases' | 'keys'>,
  database: RegionDatabase,
  sessionId: string,
  sandbox: boolean,
  precondition?: (trx: Queryable) => Promise<SubmissionContents>,
): Promise<SessionRow> => {
  const submitted = await database.db.transaction().execute(async (trx) => {
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
    const facts = await readFacts(trx, user, now)
    if (facts.inProgress) throw new AppError('VERIFICATION_IN_PROGRESS')
    const reverification = user.verification_state === 'VERIFIED' ? 1 : 0
    await applyVerificationEvent(trx, deps.clock, {
      user,
      event: { type: 'submitted' },
      sessionId: session.id,
      endpoints: endpointReader(deps.databases, database, trx),
    })
    const updated = await trx
      .updateTable('verification_session')
      .set({
        status: 'submitted',
        submitted_at: now,
        reverification,
        identity_sealed: sealIdentity(deps.keys, session.id, identity),
        identity_digest: identityDigest(deps.keys, user, identity),
        identity_includes_address: contents.includesAddress ? 1 : 0,
      })
      .where('id', '=', session.id)
      .where('status', '=', 'opened')
      .returningAll()
      .executeTakeFirstOrThrow()
    const check: CheckSubmissionPayload = { sessionId: session.id, sandbox }
    await enqueueJob(trx, deps.clock, checkSubmission, check)
    return updated
  })
  deps.jobSignal.notify()
  return submitted
}

/** What a submission holds beyond the documents: whether proof of address was among them. */
export type SubmissionContents = { includesAddress: boolean }

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

export type Decision = { outcome: Exclude<SessionOutcome, 'abandoned'>; reasons: Reason[] }

/**
 * Records the outcome of a submitted session and moves the user's state accordingly, once: a session
 * already decided (other than "review") is left as it is and the call answers false.
 */
export const decideSession = async (
  deps: Pick<VerificationDeps, 'clock' | 'databases'>,
  database: RegionDatabase,
  sessionId: string,
  decision: Decision,
): Promise<boolean> =>
  database.db.transaction().execute(async (trx) => {
    const now = deps.clock.now()
    const found = await findSession(trx, sessionId)
    if (!found) return false
    const user = await lockUser(database, trx, found.user_id)
    if (!user) return false
    // Read again under the user's lock: two deciders (a check job and a reviewer, say) racing for the
    // same session must not both decide it, nor the later one overwrite the earlier one's outcome.
    const session = await findSession(trx, sessionId)
    // Only a submitted session that is undecided (or waiting in review) takes a decision.
    const decidable =
      session?.status === 'submitted' && (session.outcome === null || session.outcome === 'review')
    if (!session || !decidable) return false
    const event =
      decision.outcome === 'approved'
        ? ({ type: 'decided', decision: 'VERIFIED' } as const)
        : decision.outcome === 'rejected'
          ? ({ type: 'decided', decision: 'REJECTED' } as const)
          : decision.outcome === 'resubmission_required'
            ? ({ type: 'resubmission_required' } as const)
            : undefined
    if (event) {
      await applyVerificationEvent(trx, deps.clock, {
        user,
        event,
        sessionId: session.id,
        reasons: decision.reasons,
        reverifying: session.reverification === 1,
        identityDigest: session.identity_digest,
        endpoints: endpointReader(deps.databases, database, trx),
      })
    }
    await trx
      .updateTable('verification_session')
      .set({ outcome: decision.outcome, outcome_at: now, reasons: JSON.stringify(decision.reasons) })
      .where('id', '=', session.id)
      .execute()
    return true
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
    submittedAt: iso(latest.submitted_at),
    outcome: latest.outcome,
    digest: latest.identity_digest,
    identity,
    matchesCurrentData:
      identityDigest(keys, user, identitySnapshot(user, identity.address !== null)) ===
      latest.identity_digest,
  }
}

/** The periodic sweep: expire due sessions of every user (abandoned ones count as failures). */
export const expireSessions = (database: RegionDatabase, clock: Clock) =>
  expireDueSessions(database.db, clock.now())
