import type { UserRow } from '../../db/schema.ts'
import type { Clock } from '../../lib/clock.ts'
import { AppError, isAppError } from '../../lib/errors.ts'
import type { Keys } from '../../lib/keys.ts'
import { normalizeEmail } from '../../lib/validators.ts'
import type { ClientScope } from '../clients/index.ts'
import { consumeCode, type SendCodeDeps, sendCode } from '../codes/index.ts'
import { findUserByEmail, findUserById, openLoginChallenge, registrationPhase } from '../users/index.ts'
import { issueAccessToken, revokeToken } from './access-tokens.ts'
import { forgivePasswordCheck, lockedError, loginKeys, reservePasswordCheck } from './login-failures.ts'
import type { LoginThrottle } from './login-throttle.ts'
import type { LoginMetrics } from './metrics.ts'
import { decoyHash, verifyPassword } from './passwords.ts'

/** Whether the user has granted this client OAuth access (login's `isLinked`; the oauth module answers). */
export type GrantedToClient = (scope: ClientScope, userId: string) => Promise<boolean>

export type AuthDeps = SendCodeDeps & {
  clock: Clock
  keys: Keys
  loginThrottle: LoginThrottle
  loginMetrics: LoginMetrics
  grantedToClient: GrantedToClient
}

/** How long a right password lets /v1/auth/login/otp text a code to the account's phone. */
export const LOGIN_CHALLENGE_MS = 10 * 60 * 1000

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

const loginResult = (user: UserRow, fields: Partial<LoginResult>): LoginResult => ({
  accessToken: null,
  userId: user.id,
  isOtpRequired: false,
  phoneNumber: null,
  phase: null,
  verificationState: user.verification_state,
  isLinked: false,
  ...fields,
})

/** Where a password login stands: `signedIn` only when password, onboarding and OTP are all done. */
export type Credentials =
  | { outcome: 'signedIn'; user: UserRow }
  | { outcome: 'unfinished'; user: UserRow; result: LoginResult }

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
  const checked = await checkCredentials(deps, scope, input, address)
  if (checked.outcome === 'unfinished') return checked.result
  const { user } = checked
  const { token } = await issueAccessToken(scope.database.db, deps.clock, {
    userId: user.id,
    clientId: scope.client.id,
    region: scope.region,
  })
  return loginResult(user, { accessToken: token, isLinked: await deps.grantedToClient(scope, user.id) })
}

/**
 * Everything login checks (throttle, lockout, password, suspension, onboarding, OTP), without issuing a
 * token: the hosted OAuth2 sign-in page signs users in with exactly the same rules.
 */
export const checkCredentials = async (
  deps: AuthDeps,
  scope: ClientScope,
  input: LoginInput,
  address: string,
): Promise<Credentials> => {
  const { clock, loginThrottle, loginMetrics } = deps
  const { client, database } = scope
  const now = clock.now()
  const email = normalizeEmail(input.email) ?? input.email.trim().toLowerCase()
  // Counted under the email as given, whether or not it has an account: a lock tells nothing.
  const keys = loginKeys(deps.keys.loginFailures, client.id, email, address)
  let lockedByThisCheck: number | null
  try {
    loginThrottle.reserve(address)
  } catch (error) {
    loginMetrics.count('throttled')
    throw error
  }
  try {
    lockedByThisCheck = await reservePasswordCheck(database.db, keys, now)
  } catch (error) {
    if (isAppError(error) && error.code === 'ACCOUNT_LOCKED') loginMetrics.count('locked')
    throw error
  }
  const user = await findUserByEmail(database.db, client.id, email)
  // Without an account, the same work as a wrong password, so timing does not tell which emails exist.
  let passwordIsRight = false
  if (user) passwordIsRight = await verifyPassword(user.password_hash, input.password)
  else await verifyPassword(await decoyHash(), input.password)
  loginMetrics.count(!user ? 'unknown_account' : passwordIsRight ? 'success' : 'wrong_password')
  if (!user || !passwordIsRight) {
    if (lockedByThisCheck !== null) throw lockedError(lockedByThisCheck, now)
    throw new AppError('INVALID_CREDENTIALS')
  }
  await forgivePasswordCheck(database.db, keys)
  loginThrottle.refund(address)
  if (user.status === 'suspended') throw new AppError('ACCOUNT_DISABLED')

  const phase = registrationPhase(user)
  if (phase !== null) return { outcome: 'unfinished', user, result: loginResult(user, { phase }) }

  if (user.login_otp_enabled_at !== null) {
    if (input.otpCode === undefined || input.otpCode.trim() === '') {
      // Only someone who knows the password may have a code texted (see sendLoginOtp).
      await openLoginChallenge(database.db, user.id, now + LOGIN_CHALLENGE_MS)
      return {
        outcome: 'unfinished',
        user,
        result: loginResult(user, {
          isOtpRequired: true,
          phoneNumber: maskPhone(user.phone_country_code ?? '', user.phone_number ?? ''),
        }),
      }
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
    await openLoginChallenge(database.db, user.id, null)
  }
  return { outcome: 'signedIn', user }
}

/**
 * POST /v1/auth/login/otp: texts a login code to the user's verified phone, only while a login with the
 * right password is waiting for it. Anyone else (an unknown id, a stranger who knows a user id) gets the
 * same 200 and nothing is sent, so it neither tells which ids exist nor lets strangers spend the
 * owner's hourly codes.
 */
export const sendLoginOtp = async (deps: AuthDeps, scope: ClientScope, userId: string): Promise<void> => {
  const user = await findUserById(scope.database.db, userId)
  if (
    !user ||
    user.client_id !== scope.client.id ||
    user.status !== 'active' ||
    user.login_otp_enabled_at === null ||
    user.login_challenge_until === null ||
    user.login_challenge_until <= deps.clock.now() ||
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
}

export const logout = (deps: Pick<AuthDeps, 'clock'>, scope: ClientScope, tokenId: string): Promise<void> =>
  revokeToken(scope.database.db, deps.clock, tokenId)
