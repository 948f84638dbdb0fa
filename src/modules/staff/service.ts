import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Config } from '../../config/config.ts'
import type { RegionDatabase } from '../../db/database.ts'
import { type DB, STAFF_ROLES, type StaffMemberRow, type StaffRole } from '../../db/schema.ts'
import type { Clock } from '../../lib/clock.ts'
import { seal, unseal } from '../../lib/crypto.ts'
import { AppError, type FieldProblem } from '../../lib/errors.ts'
import { newId } from '../../lib/ids.ts'
import type { Keys } from '../../lib/keys.ts'
import { generateSecret, hashSecret } from '../../lib/tokens.ts'
import { normalizeEmail } from '../../lib/validators.ts'
import { type AuditActor, appendAudit } from '../audit/index.ts'
import {
  decoyHash,
  forgivePasswordCheck,
  hashPassword,
  type LockedError,
  type LoginThrottle,
  loginKeys,
  reservePasswordCheck,
  secondsUntil,
  verifyPassword,
} from '../auth/index.ts'
import * as repo from './repo.ts'
import { acceptedTotpStep, newTotpSecret, otpauthUrl } from './totp.ts'

/**
 * Staff accounts of the compliance console (issue #13 item 1) and their sign-in: email, an Argon2id
 * password and a TOTP code, throttled and locked exactly like end-user logins, and console sessions known
 * to the database by their token's SHA-256 only. The console's pages (cookies, CSRF) sit in front of it.
 */
export type StaffDeps = {
  /** The home database: staff are tenant-wide, like clients. */
  db: Kysely<DB>
  /** The same database as the audit log's chain knows it: staff changes are audited there. */
  home: Pick<RegionDatabase, 'dialect' | 'region'>
  clock: Clock
  keys: Pick<Keys, 'staffTotp' | 'loginFailures' | 'auditChain'>
  config: Pick<Config, 'STAFF_IDLE_TIMEOUT_MS' | 'STAFF_SESSION_MAX_MS'>
}

/** Signing in also counts failures per source address in this process (auth's LoginThrottle). */
export type StaffSignInDeps = StaffDeps & { throttle: LoginThrottle }

export type { StaffRole }

export type StaffMember = {
  id: string
  email: string
  role: StaffRole
  status: 'active' | 'disabled'
  createdAt: number
  disabledAt: number | null
  passwordChangedAt: number
}

/** What creation and reset hand out, once: neither the password nor the secret can be shown again. */
export type StaffCredentials = { password: string; totpSecret: string; otpauthUrl: string }

export type StaffSignIn = { email: string; password: string; code: string; sourceIp: string }

export type SignedInStaff = { staff: StaffMember; sessionToken: string; sessionId: string; expiresAt: number }

export type StaffSession = { staff: StaffMember; sessionId: string; expiresAt: number }

// Staff failures are counted in auth's login_failure table under a scope no client id can take.
const STAFF_SCOPE = 'staff'
const SESSION_TOKEN_PREFIX = 'vss_'

const memberOf = (row: StaffMemberRow): StaffMember => ({
  id: row.id,
  email: row.email,
  role: row.role,
  status: row.disabled_at === null ? 'active' : 'disabled',
  createdAt: row.created_at,
  disabledAt: row.disabled_at,
  passwordChangedAt: row.password_changed_at,
})

const staffLocked: LockedError = (until, now) => {
  const retryAfter = secondsUntil(until, now)
  return new AppError('STAFF_LOCKED', {
    message: `Signing in is locked after too many failed attempts; try again in ${Math.ceil(retryAfter / 60)} minutes`,
    body: { retryAfter },
    headers: { 'retry-after': String(retryAfter) },
  })
}

// 18 random bytes: 144 bits, 24 characters of base64url; nobody chooses a staff password.
const newPassword = () => randomBytes(18).toString('base64url')

// The member's id is the sealed secret's associated data: a sealed secret copied onto another row fails.
const sealSecret = (deps: StaffDeps, id: string, secret: string) => seal(deps.keys.staffTotp, secret, id)

const newCredentials = async (deps: StaffDeps, id: string, email: string) => {
  const password = newPassword()
  const totpSecret = newTotpSecret()
  return {
    shown: { password, totpSecret, otpauthUrl: otpauthUrl(totpSecret, email) },
    stored: {
      password_hash: await hashPassword(password),
      totp_secret_sealed: sealSecret(deps, id, totpSecret),
      password_changed_at: deps.clock.now(),
    },
  }
}

/** A new member with a generated password and TOTP secret, returned this once. */
export const createStaff = async (
  deps: StaffDeps,
  input: { email: string; role: string },
  actor: AuditActor,
): Promise<{ staff: StaffMember } & StaffCredentials> => {
  const problems: FieldProblem[] = []
  const email = normalizeEmail(input.email)
  if (email === undefined) problems.push({ field: 'email', message: 'must be an email address' })
  const role = STAFF_ROLES.find((each) => each === input.role.trim().toLowerCase())
  if (role === undefined)
    problems.push({ field: 'role', message: `must be one of ${STAFF_ROLES.join(', ')}` })
  if (email === undefined || role === undefined) {
    throw new AppError('VALIDATION_ERROR', { body: { errors: problems } })
  }
  const id = newId('staff')
  const { shown, stored } = await newCredentials(deps, id, email)
  const row = {
    id,
    email,
    role,
    ...stored,
    totp_last_step: null,
    disabled_at: null,
    created_at: stored.password_changed_at,
  }
  await deps.db.transaction().execute(async (trx) => {
    if (!(await repo.insertStaffMember(trx, row))) {
      throw new AppError('STAFF_EMAIL_TAKEN', {
        message: `A staff member with the email ${email} already exists`,
      })
    }
    await appendAudit(deps, deps.home, trx, {
      actor,
      action: 'staff.create',
      subject: { type: 'staff', id },
      details: { role },
    })
  })
  return { staff: memberOf(row), ...shown }
}

export const listStaff = async (deps: StaffDeps): Promise<StaffMember[]> =>
  (await repo.listStaffMembers(deps.db)).map(memberOf)

/** A member by id (stf_…) or by email, in any case. */
const findMember = async (deps: StaffDeps, idOrEmail: string): Promise<StaffMemberRow> => {
  const key = idOrEmail.trim()
  const row = key.startsWith('stf_')
    ? await repo.findStaffById(deps.db, key)
    : await repo.findStaffByEmail(deps.db, normalizeEmail(key) ?? key.toLowerCase())
  if (!row) throw new AppError('NOT_FOUND', { message: `No staff member ${key}` })
  return row
}

/** Disables a member (they can no longer sign in) and signs them out everywhere, in one transaction. */
export const disableStaff = async (
  deps: StaffDeps,
  idOrEmail: string,
  actor: AuditActor,
): Promise<{ staff: StaffMember; sessionsRevoked: number }> => {
  const member = await findMember(deps, idOrEmail)
  const now = deps.clock.now()
  const sessionsRevoked = await deps.db.transaction().execute(async (trx) => {
    await repo.disableStaffMember(trx, member.id, now)
    const revoked = await repo.revokeStaffSessionsOf(trx, member.id, now)
    await appendAudit(deps, deps.home, trx, {
      actor,
      action: 'staff.disable',
      subject: { type: 'staff', id: member.id },
      details: { sessionsRevoked: revoked },
    })
    return revoked
  })
  return {
    staff: memberOf((await repo.findStaffById(deps.db, member.id)) as StaffMemberRow),
    sessionsRevoked,
  }
}

/**
 * Lets a disabled member sign in again with the credentials they had; the sessions disabling ended stay
 * ended. Audited as `staff.enable` in the same transaction (enabling an active member changes nothing
 * but is recorded, like disabling a disabled one).
 */
export const enableStaff = async (
  deps: StaffDeps,
  idOrEmail: string,
  actor: AuditActor,
): Promise<{ staff: StaffMember }> => {
  const member = await findMember(deps, idOrEmail)
  await deps.db.transaction().execute(async (trx) => {
    await repo.enableStaffMember(trx, member.id)
    await appendAudit(deps, deps.home, trx, {
      actor,
      action: 'staff.enable',
      subject: { type: 'staff', id: member.id },
      details: {},
    })
  })
  return { staff: memberOf((await repo.findStaffById(deps.db, member.id)) as StaffMemberRow) }
}

/**
 * New password and TOTP secret for a member (a lost phone, a leaked password), returned this once; every
 * session of theirs is revoked in the same transaction. A disabled member stays disabled.
 */
export const resetStaff = async (
  deps: StaffDeps,
  idOrEmail: string,
  actor: AuditActor,
): Promise<{ staff: StaffMember; sessionsRevoked: number } & StaffCredentials> => {
  const member = await findMember(deps, idOrEmail)
  // Hashed before the transaction: Argon2id takes a while and need not hold the write lock.
  const { shown, stored } = await newCredentials(deps, member.id, member.email)
  const sessionsRevoked = await deps.db.transaction().execute(async (trx) => {
    await repo.replaceStaffCredentials(trx, member.id, stored)
    const revoked = await repo.revokeStaffSessionsOf(trx, member.id, stored.password_changed_at)
    await appendAudit(deps, deps.home, trx, {
      actor,
      action: 'staff.reset',
      subject: { type: 'staff', id: member.id },
      details: { sessionsRevoked: revoked },
    })
    return revoked
  })
  const staff = memberOf((await repo.findStaffById(deps.db, member.id)) as StaffMemberRow)
  return { staff, sessionsRevoked, ...shown }
}

/**
 * Opens a session when the code is one the member's secret gives for now (± one step) and newer than
 * the last accepted one. The step is recorded, the session written and `staff.sign_in` appended in one
 * transaction, conditional on the step still being new and the member still as read (not disabled, not
 * reset meanwhile): a failed append leaves no session behind.
 */
const openSession = async (
  deps: StaffDeps,
  member: StaffMemberRow,
  input: StaffSignIn,
  now: number,
): Promise<SignedInStaff | null> => {
  const secret = unseal(deps.keys.staffTotp, member.totp_secret_sealed, member.id)
  const step = acceptedTotpStep(secret, input.code, now, member.totp_last_step)
  if (step === null) return null
  const sessionToken = generateSecret(SESSION_TOKEN_PREFIX)
  const sessionId = newId('staffSession')
  const expiresAt = now + deps.config.STAFF_SESSION_MAX_MS
  const opened = await deps.db.transaction().execute(async (trx) => {
    if (!(await repo.acceptTotpStep(trx, member, step))) return false
    await repo.insertStaffSession(trx, {
      id: sessionId,
      token_hash: hashSecret(sessionToken),
      staff_id: member.id,
      created_at: now,
      last_seen_at: now,
      expires_at: expiresAt,
      revoked_at: null,
      source_ip: input.sourceIp,
    })
    await appendAudit(deps, deps.home, trx, {
      actor: `staff:${member.id}`,
      action: 'staff.sign_in',
      subject: { type: 'staff', id: member.id },
      details: { sessionId },
    })
    return true
  })
  return opened ? { staff: memberOf(member), sessionToken, sessionId, expiresAt } : null
}

/**
 * Signs a member in with email, password and TOTP code. Every way of failing (no such email, wrong
 * password, wrong or replayed code, disabled account) is the same STAFF_CREDENTIALS_INVALID after the
 * same work, so nothing tells which emails are staff or which factor was wrong. The attempt is reserved
 * before the password is checked (auth's reservation: five per email and address per 15 minutes, fifty
 * per email per hour), so no number of parallel guesses gets more checks; a success gives it back.
 */
export const signInStaff = async (deps: StaffSignInDeps, input: StaffSignIn): Promise<SignedInStaff> => {
  const now = deps.clock.now()
  const email = normalizeEmail(input.email) ?? input.email.trim().toLowerCase()
  const keys = loginKeys(deps.keys.loginFailures, STAFF_SCOPE, email, input.sourceIp)
  deps.throttle.reserve(input.sourceIp)
  const lockedByThisCheck = await reservePasswordCheck(deps.db, keys, now, staffLocked)
  const member = await repo.findStaffByEmail(deps.db, email)
  // Without a member, the same Argon2id work as a wrong password, so timing does not tell either.
  const passwordIsRight = member
    ? await verifyPassword(member.password_hash, input.password)
    : await verifyPassword(await decoyHash(), input.password).then(() => false)
  const signedIn =
    member && passwordIsRight && member.disabled_at === null
      ? await openSession(deps, member, input, now)
      : null
  if (!signedIn) {
    if (lockedByThisCheck !== null) throw staffLocked(lockedByThisCheck, now)
    throw new AppError('STAFF_CREDENTIALS_INVALID')
  }
  await forgivePasswordCheck(deps.db, keys)
  deps.throttle.refund(input.sourceIp)
  return signedIn
}

/**
 * How stale a session's last_seen_at may be: every console request resolves the session, and one write
 * per request (a page and its photos are several) is write traffic on the home database for nothing.
 */
const LAST_SEEN_WRITE_INTERVAL_MS = 60_000

/**
 * The member behind a console session token, or null when the session is unknown, signed out or
 * revoked, past its absolute end, idle for STAFF_IDLE_TIMEOUT_MS, or its member is disabled. A live
 * session's idle timeout slides to now, written at most once a minute: the recorded last use lags the
 * real one by less than a minute, so an idle session ends at most a minute early, never late.
 */
export const resolveStaffSession = async (deps: StaffDeps, token: string): Promise<StaffSession | null> => {
  const now = deps.clock.now()
  const found = await repo.findStaffSession(deps.db, hashSecret(token))
  const idleSince = now - deps.config.STAFF_IDLE_TIMEOUT_MS
  if (
    !found ||
    found.session_revoked_at !== null ||
    found.session_expires_at <= now ||
    found.session_last_seen_at <= idleSince ||
    found.disabled_at !== null
  ) {
    return null
  }
  const stale = now - found.session_last_seen_at >= LAST_SEEN_WRITE_INTERVAL_MS
  if (stale && !(await repo.touchStaffSession(deps.db, found.session_id, now, idleSince))) return null
  return { staff: memberOf(found), sessionId: found.session_id, expiresAt: found.session_expires_at }
}

/**
 * Ends the session of this token, audited as `staff.sign_out` by its member in the same transaction.
 * Nothing happens, and nothing is recorded, for an unknown or already ended one.
 */
export const signOutStaff = async (deps: StaffDeps, token: string): Promise<void> => {
  await deps.db.transaction().execute(async (trx) => {
    const ended = await repo.revokeStaffSessionByHash(trx, hashSecret(token), deps.clock.now())
    if (!ended) return
    await appendAudit(deps, deps.home, trx, {
      actor: `staff:${ended.staffId}`,
      action: 'staff.sign_out',
      subject: { type: 'staff', id: ended.staffId },
      details: { sessionId: ended.sessionId },
    })
  })
}
