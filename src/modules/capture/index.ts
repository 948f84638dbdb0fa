/**
 * The capture module's face (the hosted flow domain: step order, uploads, consent, CSRF tokens,
 * submission precondition): what other modules may use. Every other file in this folder is private to
 * the module (docs/architecture.md, Module boundaries).
 */
export type { RandomBelow } from './challenge.ts'
export {
  currentUploadId,
  openSessionDocument,
  type SessionDocument,
  type SubmittedEvidence,
  sessionDocuments,
  submittedEvidence,
  uploadedFile,
} from './evidence.ts'
export {
  canOpen,
  DOCUMENT_TYPES,
  type FlowFacts,
  FORM_STEPS,
  isComplete,
  nextStep,
  SLOT_OF_STEP,
  STEPS,
  type Step,
  stepPosition,
  stepsFor,
  UPLOAD_STEPS,
  type UploadStep,
} from './flow.ts'
export {
  type AnswerableChallenge,
  accountRefusal,
  answerChallenge,
  CAMERA_EVENTS,
  type Capture,
  type CaptureDeps,
  chooseDocument,
  formToken,
  giveConsent,
  giveSsn,
  type IssuedChallenge,
  loadFlow,
  MAX_CHALLENGE_FRAMES,
  MAX_UPLOADS_PER_SESSION,
  recordEvent,
  requireAnswerableChallenge,
  requireFormToken,
  STATUS_PHASES,
  type StatusView,
  statusOf,
  storeUpload,
  submit,
  wrongFrameCount,
} from './service.ts'
