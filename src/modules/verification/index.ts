/**
 * The verification module's face: what other modules may use. Everything else in this folder,
 * repo.ts above all, is private to it (the boundary rule in .dependency-cruiser.cjs enforces it).
 */
export {
  createVerificationChanges,
  type StateChanged,
  type VerificationChange,
  type VerificationChanges,
  type VerificationSubscriber,
} from './changes.ts'
export { type Decision, type DecisionGuard, decide } from './decisions.ts'
export { verificationHistory } from './history.ts'
export { type IdentitySnapshot, type SubmittedIdentity, submittedIdentity } from './identity.ts'
export { REASON_CATALOGUE, type Reason, type ReasonCode, reason } from './reasons.ts'
export {
  findSession,
  listSessionsAwaitingDecision,
  listUserSessions,
  lockSession,
  markSessionOpened,
  summarizeSessionsAwaitingDecision,
} from './repo.ts'
export {
  ReasonSchema,
  SessionLimitErrorBody,
  SessionLinkSchema,
  SessionSchema,
  verificationRoutes,
} from './routes.ts'
export { formatSessionRef, parseSessionLinkToken, parseSessionRef, type SessionRef } from './session-links.ts'
export { resetLimits } from './sessions.ts'
// The state writer itself, for tests and benchmarks that drive a user's state directly; features
// decide through `decide`.
export { applyVerificationEvent, type StateWriterDeps } from './state.ts'
export { checkedIdentity, submitSession, whileIdentityUnchecked } from './submission.ts'
export { expireSessionsJob, expireSessionsSchedule } from './sweep-job.ts'
