import type { VerificationState } from '../../db/schema.ts'

/**
 * The user's verificationState, in one place. Every change is a numbered transition: the version only
 * grows, and an event computed against an older version is refused as stale by the caller's
 * conditional update (see state.ts).
 *
 *   UNVERIFIED ──submitted──▶ PENDING ──decided──▶ VERIFIED | REJECTED
 *   REJECTED ───submitted──▶ PENDING                (after the cooldown, enforced by the limits)
 *   PENDING ────resubmission_required──▶ UNVERIFIED (unusable images: a failure, not a rejection)
 *   VERIFIED ───submitted──▶ VERIFIED (unchanged: a re-verification is pending) ──decided──▶ its decision
 */
export type VerificationEvent =
  | { type: 'submitted' }
  | { type: 'decided'; decision: 'VERIFIED' | 'REJECTED' }
  | { type: 'resubmission_required' }

export type TransitionResult =
  | { kind: 'changed'; from: VerificationState; to: VerificationState }
  | { kind: 'unchanged'; state: VerificationState }
  | { kind: 'illegal'; reason: string }

/**
 * `reverifying` says whether a VERIFIED user has a submission awaiting its decision: only then may a
 * decision change (or confirm) a VERIFIED state.
 */
export const nextState = (
  current: VerificationState,
  event: VerificationEvent,
  context: { reverifying: boolean } = { reverifying: false },
): TransitionResult => {
  switch (event.type) {
    case 'submitted':
      if (current === 'UNVERIFIED' || current === 'REJECTED')
        return { kind: 'changed', from: current, to: 'PENDING' }
      if (current === 'VERIFIED') return { kind: 'unchanged', state: current }
      return { kind: 'illegal', reason: 'a submission is already being checked' }
    case 'decided':
      if (current === 'PENDING' || (current === 'VERIFIED' && context.reverifying)) {
        return current === event.decision
          ? { kind: 'unchanged', state: current }
          : { kind: 'changed', from: current, to: event.decision }
      }
      return { kind: 'illegal', reason: `no submission awaits a decision (state ${current})` }
    case 'resubmission_required':
      if (current === 'PENDING') return { kind: 'changed', from: current, to: 'UNVERIFIED' }
      if (current === 'VERIFIED' && context.reverifying) return { kind: 'unchanged', state: current }
      return { kind: 'illegal', reason: `no submission awaits a decision (state ${current})` }
  }
}
