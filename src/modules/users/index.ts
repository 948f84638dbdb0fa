/**
 * The users module's face. It owns `app_user`: every read and write of that table is one of these
 * functions, whichever module needs it.
 */
export {
  describeAccount,
  type LocatedUser,
  locateUser,
  setLoginOtp,
  setUserSuspended,
  type UserAdminDeps,
} from './admin.ts'
export {
  findOnboardingUser,
  ONBOARDING_ID_AFTER_REGISTRATION_MS,
  ONBOARDING_ID_TTL_MS,
  onboardingIdExpiresAt,
  requireOnboardingUser,
} from './onboarding-id.ts'
export { ONBOARDING_PHASES, type Phase, registrationPhase } from './phase.ts'
export {
  findUserByEmail,
  findUserById,
  findUserByOnboardingId,
  insertUser,
  lockUser,
  newUserRow,
  openLoginChallenge,
  recordVerificationState,
  updateUser,
} from './repo.ts'
export { userRoutes } from './routes.ts'
export { openSsn, type SsnColumns, sealSsn } from './ssn.ts'
export { toUserView, UserSchema, VerificationStateSchema } from './view.ts'
