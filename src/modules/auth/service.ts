import type { UserRow } from '../../db/schema.ts'
import type { JobSignal } from '../../jobs/signal.ts'
import type { Clock } from '../../lib/clock.ts'
import { AppError } from '../../lib/errors.ts'
import type { Keys } from '../../lib/keys.ts'
import { normalizeEmail } from '../../lib/validators.ts'
import type { ClientScope } from '../clients/scope.ts'
import { type SendCodeDeps, sendCode } from '../codes/send.ts'
import { consumeCode } from '../codes/service.ts'
import { registrationPhase } from '../users/phase.ts'
import { findUserByEmail, findUserById, recordFailedLogin, updateUser } from '../users/repo.ts'
import { issueAccessToken, revokeToken } from './access-tokens.ts'
import type { LoginThrottle } from './login-throttle.ts'
import { decoyHash, verifyPassword } from './passwords.ts'

export type AuthDeps = SendCodeDeps & {
  clock: Clock
  keys: Keys
  jobSignal: JobSignal
  loginThrottle: LoginThrottle
}

export const MAX_FAILED_LOGINS = 5
export const LOCKOUT_MS = 15 * 60 * 1000

export type LoginInput = { email: string; password: string; otpCode?: string | undefined }

export type LoginResult = {
  accessToken: string | null
  userId: string | null
  isOtpRequired: boolean
  phoneNumber: string | null
  phase: ReturnType<typeof registrationPhase>
  verificationState: UserRow['verification_state'] | null
  isLinked: boolean
}

/** "+445*****225": enough for the user to recognise the phone, not enough to call it. */
export const maskPhone = (countryCode: string, nationalNumber: string): string =>
  `${countryCode}${nationalNumber.slice(0, 1)}${'*'.repeat(Math.max(0, nationalNumber.length - 4))}${nationalNumber.slice(-3)}`

const lockedError = (until: number, now: number) => {
  const retryAfter = Math.max(1, Math.ceil((until - now) / 1000))
  return new AppError('ACCOUNT_LOCKED', {
    message: `Your account is temporarily locked after too many failed attempts; try again in ${Math.ceil(retryAfter / 60)} minutes`,
    body: { retryAfter },
    headers: { 'retry-after': String(retryAfter) },
  })
}

const loginResult = (user: UserRow, fields: Partial<LoginResult>): LoginResult => ({
  accessToken: null,
  userId: user.id,
  isOtpRequired: false,
  phoneNumber: null,
  phase: null,
  verificationState: user.verification_state,
  // OAuth linking is not offered yet, so no client holds an OAuth grant.
  isLinked: false,
  ...fields,
})

/**
 * POST /v1/auth/login, following the Baanx outcome table: a token when everything is done; no token and
 * `phase` while onboarding is unfinished; no token and `isOtpRequired` until the OTP is given.
 */
export const login = async (
  deps: AuthDeps,
  scope: ClientScope,
  input: LoginInput,
  address: string,
): Promise<LoginResult> => {
  const { clock, loginThrottle } = deps
  const { client, database } = scope
  loginThrottle.check(address)
  const now = clock.now()

  const email = normalizeEmail(input.email)
  const user = email === undefined ? undefined : await findUserByEmail(database.db, client.id, email)
  if (!user) {
    // Same work as a wrong password, so timing does not tell which emails have accounts.
    await verifyPassword(await decoyHash(), input.password)
    loginThrottle.recordFailure(address)
    throw new AppError('INVALID_CREDENTIALS')
  }
  if (user.locked_until !== null && user.locked_until > now) throw lockedError(user.locked_until, now)

  if (!(await verifyPassword(user.password_hash, input.password))) {
    loginThrottle.recordFailure(address)
    const lockedUntil = await recordFailedLogin(database.db, user.id, now, {
      maxFailures: MAX_FAILED_LOGINS,
      lockoutMs: LOCKOUT_MS,
    })
    if (lockedUntil !== undefined) throw lockedError(lockedUntil, now)
    throw new AppError('INVALID_CREDENTIALS')
  }
  if (user.status === 'suspended') throw new AppError('ACCOUNT_DISABLED')
  if (user.failed_login_count > 0 || user.locked_until !== null) {
    await updateUser(database.db, user.id, { failed_login_count: 0, locked_until: null, updated_at: now })
  }

  const phase = registrationPhase(user)
  if (phase !== null) return loginResult(user, { phase })

  if (user.login_otp_enabled_at !== null) {
    if (input.otpCode === undefined || input.otpCode.trim() === '') {
      return loginResult(user, {
        isOtpRequired: true,
        phoneNumber: maskPhone(user.phone_country_code ?? '', user.phone_number ?? ''),
      })
    }
    await consumeCode(
      database.db,
      { clock, codeKey: deps.keys.verificationCodes },
      {
        clientId: client.id,
        sandbox: client.mode === 'sandbox',
        purpose: 'login_otp',
        subject: user.id,
        code: input.otpCode,
      },
    )
  }
  const { token } = await issueAccessToken(database.db, clock, {
    userId: user.id,
    clientId: client.id,
    region: scope.region,
  })
  return loginResult(user, { accessToken: token })
}

/**
 * POST /v1/auth/login/otp: texts a login code to the user's verified phone. Always answers the same
 * way, so it cannot be used to find out which user ids exist.
 */
export const sendLoginOtp = async (deps: AuthDeps, scope: ClientScope, userId: string): Promise<void> => {
  const user = await findUserById(scope.database.db, userId)
  if (
    !user ||
    user.client_id !== scope.client.id ||
    user.status !== 'active' ||
    user.login_otp_enabled_at === null ||
    user.phone_verified_at === null ||
    !user.phone_country_code ||
    !user.phone_number
  ) {
    return
  }
  const phone = `${user.phone_country_code}${user.phone_number}`
  await scope.database.db.transaction().execute(async (trx) => {
    await sendCode(trx, deps, { client: scope.client, purpose: 'login_otp', subject: user.id, target: phone })
  })
  deps.jobSignal.notify()
}

export const logout = (deps: Pick<AuthDeps, 'clock'>, scope: ClientScope, tokenId: string): Promise<void> =>
  revokeToken(scope.database.db, deps.clock, tokenId)
