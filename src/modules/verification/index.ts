/**
 * The verification module's face: what other modules may use. Everything else in this folder,
 * repo.ts above all, is private to it (the boundary rule in .dependency-cruiser.cjs enforces it).
 */
export {
  createVerificationChanges,
  type SessionSubmitted,
  type StateChanged,
  type VerificationChange,
  type VerificationChanges,
  type VerificationSubscriber,
} from './changes.ts'
export { type Decision, decide } from './decisions.ts'
export { verificationHistory } from './history.ts'
export { DAY_MS, HOUR_MS } from './limits.ts'
export { type Reason, type ReasonCode, reason } from './reasons.ts'
export { findSession, lockSession, markSessionOpened } from './repo.ts'
export {
  ReasonSchema,
  SessionLimitErrorBody,
  SessionLinkSchema,
  SessionSchema,
  verificationRoutes,
} from './routes.ts'
export { formatSessionRef, parseSessionLinkToken, parseSessionRef, type SessionRef } from './session-links.ts'
export {
  createUserSession,
  expireSessions,
  getOnboardingSession,
  type IssuedSession,
  listSessions,
  resetLimits,
  type SessionDeps,
} from './sessions.ts'
export { applyVerificationEvent, type StateChange, type StateWriterDeps } from './state.ts'
export {
  checkedIdentity,
  type SubmissionContents,
  submitSession,
  whileIdentityUnchecked,
} from './submission.ts'
export { expireSessionsJob, expireSessionsSchedule } from './sweep-job.ts'
