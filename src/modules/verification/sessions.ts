import type { RegionDatabase } from '../../db/database.ts'
import type { SessionKind, SessionRow, UserRow } from '../../db/schema.ts'
import { type Clock, DAY_MS, isoTime } from '../../lib/clock.ts'
import { AppError } from '../../lib/errors.ts'
import { newId } from '../../lib/ids.ts'
import type { Keys } from '../../lib/keys.ts'
import type { ClientScope } from '../clients/index.ts'
import { lockUser, requireOnboardingUser, updateUser } from '../users/index.ts'
import { readLimitFacts } from './limit-facts.ts'
import { evaluateLimits, type LimitVerdict } from './limits.ts'
import type { Reason } from './reasons.ts'
import {
  expireDueSessions,
  expireOpenSessionsOf,
  findActiveOnboardingSession,
  insertSession,
  listUserSessions,
} from './repo.ts'
import { sessionLinkToken, sessionUrl } from './session-links.ts'

/** Issuing, listing and expiring verification links, within the per-user limits (limits.ts). */
export type SessionDeps = {
  clock: Clock
  keys: Keys
  config: { PUBLIC_URL: string }
}

export const USER_SESSION_TTL_MS = DAY_MS
export const ONBOARDING_SESSION_TTL_MS = 7 * DAY_MS

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
  deps: SessionDeps,
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
  deps: SessionDeps,
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
    let facts = await readLimitFacts(trx, user, now)
    // Expired links are marked before the limits count them (an abandoned one is a failure); most
    // requests find none, and then skip the write.
    if (facts.dueToExpire) {
      await expireDueSessions(trx, now, user.id)
      facts = await readLimitFacts(trx, user, now)
    }
    if (facts.inProgress) throw new AppError('VERIFICATION_IN_PROGRESS')
    if (kind === 'onboarding') {
      // Reusable until submitted, from any device: the same link while it is active.
      const active = await findActiveOnboardingSession(trx, user.id, now)
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
export const createUserSession = (deps: SessionDeps, scope: ClientScope, user: UserRow) =>
  issueSession(deps, scope, user.id, 'user')

/** POST /v1/auth/register/verification: the onboarding link (7 days, reusable until submitted). */
export const getOnboardingSession = async (deps: SessionDeps, scope: ClientScope, onboardingId: string) => {
  const user = await requireOnboardingUser(scope.database.db, scope.client.id, onboardingId, deps.clock.now())
  return issueSession(deps, scope, user.id, 'onboarding')
}

// ---- listing --------------------------------------------------------------------------------------

export const sessionStatusAt = (session: SessionRow, now: number) =>
  (session.status === 'issued' || session.status === 'opened') && session.expires_at <= now
    ? 'expired'
    : session.status

/** The user's sessions, newest first, with user-safe reasons; never their links. */
export const listSessions = async (
  deps: Pick<SessionDeps, 'clock'>,
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
    createdAt: isoTime(session.created_at),
    openedAt: isoTime(session.opened_at),
    submittedAt: isoTime(session.submitted_at),
    decidedAt: session.outcome === 'abandoned' ? null : isoTime(session.outcome_at),
    expiresAt: isoTime(session.expires_at),
  }))
}

/** The periodic sweep: expire due sessions of every user (abandoned ones count as failures). */
export const expireSessions = (database: RegionDatabase, clock: Clock) =>
  expireDueSessions(database.db, clock.now())

/**
 * Sandbox only: open links stop working and nothing before now counts for the user's limits any more.
 * Under the user's lock, like everything that reads and then changes the limits.
 */
export const resetLimits = (clock: Clock, scope: ClientScope, userId: string): Promise<void> =>
  scope.database.db.transaction().execute(async (trx) => {
    const now = clock.now()
    const user = await lockUser(scope.database, trx, userId)
    if (!user || user.client_id !== scope.client.id)
      throw new AppError('NOT_FOUND', { message: 'No such user' })
    await expireOpenSessionsOf(trx, userId)
    await updateUser(trx, userId, { limits_reset_at: now, updated_at: now })
  })
