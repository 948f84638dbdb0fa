/**
 * The users module's face. It owns `app_user`: every write of that table is one of these functions,
 * whichever module needs it (auth's token lookup reads the row through a join of its own).
 */
export { describeAccount, type LocatedUser, locateUser, setLoginOtp, setUserSuspended } from './admin.ts'
export {
  findOnboardingUser,
  ONBOARDING_ID_AFTER_REGISTRATION_MS,
  ONBOARDING_ID_TTL_MS,
  requireOnboardingUser,
} from './onboarding-id.ts'
export { ONBOARDING_PHASES, type Phase, registrationPhase } from './phase.ts'
export {
  findUserByEmail,
  findUserById,
  insertUser,
  lockUser,
  newUserRow,
  openLoginChallenge,
  recordVerificationState,
  searchUsers,
  updateUser,
  verifiedUsersAfter,
} from './repo.ts'
export { userRoutes } from './routes.ts'
export { openSsn, sealSsn } from './ssn.ts'
export { toUserView, UserSchema, VerificationStateSchema } from './view.ts'
