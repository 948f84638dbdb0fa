/**
 * The auth module's face (login, login OTP, logout, access tokens, passwords, throttling): what other
 * modules may use. The staff module signs the console's staff in with the same password hashing and
 * the same attempt reservation (lockout) and throttle. Every other file in this folder is private to the module (docs/architecture.md,
 * Module boundaries).
 */
export {
  ACCESS_TOKEN_TTL_MS,
  findTokenUser,
  issueAccessToken,
  revokeClientAccessToken,
  revokeOAuthFamilyTokens,
  tokenRegion,
} from './access-tokens.ts'
export {
  forgivePasswordCheck,
  type LockedError,
  type LoginKeys,
  loginKeys,
  PER_ACCOUNT,
  PER_ADDRESS,
  reservePasswordCheck,
  secondsUntil,
} from './login-failures.ts'
export { LoginThrottle } from './login-throttle.ts'
export { createLoginMetrics } from './metrics.ts'
export {
  decoyHash,
  hashPassword,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  passwordProblem,
  verifyPassword,
} from './passwords.ts'
export { pruneLoginFailuresJob, pruneLoginFailuresSchedule } from './prune-job.ts'
export { authRoutes, LoginResponse } from './routes.ts'
export {
  type AuthDeps,
  type Credentials,
  checkCredentials,
  type GrantedToClient,
  type LoginResult,
  sendLoginOtp,
} from './service.ts'
