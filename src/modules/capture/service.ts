import type { Databases, Queryable, RegionDatabase } from '../../db/database.ts'
import {
  type CaptureProgressRow,
  CHALLENGE_SLOTS,
  type ChallengeStep,
  type DocumentFileRow,
  type DocumentSlot,
  type DocumentType,
  type SelfieChallengeRow,
  type SessionRow,
  type UserRow,
} from '../../db/schema.ts'
import type { Clock } from '../../lib/clock.ts'
import { AppError } from '../../lib/errors.ts'
import { newId } from '../../lib/ids.ts'
import type { Keys } from '../../lib/keys.ts'
import { normalizeSsn } from '../../lib/validators.ts'
import type { Client } from '../clients/index.ts'
import { getClient } from '../clients/index.ts'
import type { DecodeLimiter, DocumentVault } from '../documents/index.ts'
import { normalizeUpload } from '../documents/index.ts'
import { countryList } from '../settings/index.ts'
import { findUserById, sealSsn, updateUser } from '../users/index.ts'
import type { Reason } from '../verification/index.ts'
import {
  findSession,
  submitSession,
  type VerificationChanges,
  whileIdentityUnchecked,
} from '../verification/index.ts'
import {
  challengeRefusal,
  completedFrames,
  frameSlots,
  isChallengeSlot,
  MAX_CHALLENGE_STEPS,
  pickChallengeSteps,
  type RandomBelow,
  stepsOf,
} from './challenge.ts'
import { csrfToken, isValidCsrfToken } from './csrf.ts'
import { canOpen, type FlowFacts, requiredSlots, SLOT_OF_STEP, type Step, type UploadStep } from './flow.ts'
import {
  advanceRevision,
  countUploadAttempts,
  currentChallengeOf,
  deleteDocuments,
  documentsOf,
  ensureProgress,
  findChallenge,
  insertDocument,
  issueChallenge,
  markChallengeAnswered,
  saveEvents,
} from './repo.ts'

/**
 * Files a session may have decoded, whether then accepted or refused as unusable: a flow needs at most
 * seven (front, back, selfie, its three challenge frames, proof of address), so this leaves ten tries
 * for each. Uploads refused before any decoding (a stale form, a step not open yet, too large, server
 * busy) are not counted.
 */
export const MAX_UPLOADS_PER_SESSION = 70

export type CaptureDeps = {
  clock: Clock
  keys: Keys
  vault: DocumentVault
  verificationChanges: VerificationChanges
  databases: Databases
  /** Bounds the decodes of this process (DECODE_CONCURRENCY, DECODE_QUEUE, one per session). */
  decodes: DecodeLimiter
  /** Where the selfie challenge's poses are drawn from: crypto random unless a test fixes them. */
  randomBelow?: RandomBelow
  config: { DECODE_TIMEOUT_MS: number; CHALLENGE_ANSWER_SECONDS: number }
}

/** A browser's session with everything the flow decides on. */
export type Capture = {
  session: SessionRow
  user: UserRow
  database: RegionDatabase
  /** Digest of this browser's claim secret: binds the pages' CSRF tokens to this browser. */
  claimDigest: string
  client: Client
}

export type FlowView = { progress: CaptureProgressRow; documents: DocumentFileRow[]; facts: FlowFacts }

const factsOf = (capture: Capture, progress: CaptureProgressRow, documents: DocumentFileRow[]): FlowFacts => {
  const us = capture.database.region === 'us'
  return {
    consented: progress.consented_at !== null,
    documentType: progress.document_type,
    issuingCountry: progress.issuing_country,
    uploaded: new Set(
      documents.flatMap((document) => (isChallengeSlot(document.slot) ? [] : [document.slot])),
    ),
    needsAddress: us || capture.client.requireProofOfAddress,
    needsSsn: us && (capture.user.ssn_sealed === null || progress.ssn_provided_at !== null),
    // The progress row, not only the user row, says so: `capture.user` was read when the request came
    // in, before giveSsn stored the SSN, and the step after it is computed from the same capture.
    ssnGiven: capture.user.ssn_sealed !== null || progress.ssn_provided_at !== null,
  }
}

const read = async (db: Queryable, capture: Capture, now: number): Promise<FlowView> => {
  const progress = await ensureProgress(db, capture.session.id, now)
  const documents = await documentsOf(db, capture.session.id)
  return { progress, documents, facts: factsOf(capture, progress, documents) }
}

export const loadFlow = (deps: Pick<CaptureDeps, 'clock'>, capture: Capture): Promise<FlowView> =>
  read(capture.database.db, capture, deps.clock.now())

const requireOpen = (step: Step, facts: FlowFacts) => {
  if (!canOpen(step, facts)) throw new AppError('FLOW_STEP_MISSING')
}

const bindingOf = (capture: Capture, view: FlowView, form: string) => ({
  sessionId: capture.session.id,
  claimDigest: capture.claimDigest,
  form,
  revision: view.progress.revision,
})

/** The one-time CSRF token of a form of the flow as it stands now. */
export const formToken = (deps: Pick<CaptureDeps, 'keys'>, capture: Capture, view: FlowView, form: string) =>
  csrfToken(deps.keys.csrf, bindingOf(capture, view, form))

/** Refuses a form whose token was not issued for this browser, this form and this revision of the flow. */
export const requireFormToken = (
  deps: Pick<CaptureDeps, 'keys'>,
  capture: Capture,
  view: FlowView,
  form: string,
  presented: unknown,
) => {
  if (!isValidCsrfToken(deps.keys.csrf, bindingOf(capture, view, form), presented))
    throw new AppError('CSRF_REJECTED')
}

/** Moves the flow on from the revision the form was issued for; a stale form is refused like a forged one. */
const advance = async (
  db: Queryable,
  capture: Capture,
  revision: number,
  now: number,
  changes?: Parameters<typeof advanceRevision>[4],
) => {
  if (!(await advanceRevision(db, capture.session.id, revision, now, changes)))
    throw new AppError('CSRF_REJECTED', {
      internal: `stale form revision ${revision} for ${capture.session.id}`,
    })
}

/**
 * Why this user may not go on with a verification, if so: a suspended user, or any user of a disabled
 * client, must not be able to upload, submit and end VERIFIED. (The same answer for both: the page does
 * not say which.)
 */
export const accountRefusal = (
  user: Pick<UserRow, 'status'>,
  client: Pick<Client, 'status'>,
): AppError | undefined => {
  if (user.status === 'suspended') return new AppError('ACCOUNT_DISABLED', { internal: 'user suspended' })
  if (client.status === 'disabled') return new AppError('NOT_AUTHORIZED', { internal: 'client disabled' })
  return undefined
}

/**
 * Reads the user again (in `db`, which may be a transaction of the user's region) and refuses if the
 * user or the client (read just before, from the home database) was suspended or disabled meanwhile.
 */
const requireActiveAccount = async (db: Queryable, capture: Capture, client: Client) => {
  const user = await findUserById(db, capture.user.id)
  const refusal = user ? accountRefusal(user, client) : new AppError('NOT_AUTHORIZED')
  if (refusal) throw refusal
}

/**
 * Checks again, once a decode slot is ours (the wait can be long), that the upload is still wanted: the
 * session still open, the account still active, the step still open and the form still the current one
 * (`stillWanted` first says why a particular upload is no longer wanted, when it can say it better). A
 * stale upload is refused before it costs a decode.
 */
const requireStillExpected = async (
  deps: CaptureDeps,
  capture: Capture,
  step: UploadStep,
  before: FlowView,
  stillWanted?: (db: Queryable, now: number) => Promise<void>,
) => {
  const db = capture.database.db
  const now = deps.clock.now()
  const session = await findSession(db, capture.session.id)
  if (session?.status === 'submitted') throw new AppError('ALREADY_SUBMITTED')
  if (session?.status !== 'opened' || session.expires_at <= now) throw new AppError('SESSION_GONE')
  await requireActiveAccount(db, capture, await getClient(deps, capture.session.client_id))
  await stillWanted?.(db, now)
  const view = await read(db, capture, now)
  requireOpen(step, view.facts)
  if (view.progress.revision !== before.progress.revision)
    throw new AppError('CSRF_REJECTED', {
      internal: `flow moved on while ${capture.session.id} waited to decode`,
    })
}

/** Counts `files` decodes against the session's budget, or refuses with 429 once it is spent. */
const spendUploadBudget = async (capture: Capture, files: number) => {
  if (!(await countUploadAttempts(capture.database.db, capture.session.id, files, MAX_UPLOADS_PER_SESSION)))
    throw new AppError('UPLOAD_LIMIT')
}

/** Removes stored objects after the rows that pointed at them are gone (a failure leaves an orphan, not a hole). */
const discard = async (deps: CaptureDeps, storageKeys: string[]) => {
  await Promise.all(storageKeys.map((key) => deps.vault.delete(key)))
}

export const giveConsent = async (deps: CaptureDeps, capture: Capture, revision: number) => {
  await capture.database.db.transaction().execute(async (trx) => {
    const view = await read(trx, capture, deps.clock.now())
    requireOpen('consent', view.facts)
    await advance(trx, capture, revision, deps.clock.now(), {
      consented_at: view.progress.consented_at ?? deps.clock.now(),
    })
  })
}

export type DocumentChoice = { documentType: DocumentType; issuingCountry: string }

/**
 * Records the document. Changing the type throws away the photos of the previous document (a passport
 * page is not the front of an ID card), so no stale front or back can be submitted.
 */
export const chooseDocument = async (
  deps: CaptureDeps,
  capture: Capture,
  revision: number,
  choice: DocumentChoice,
) => {
  const country = choice.issuingCountry.trim().toUpperCase()
  if (!countryList(capture.database.region).some((entry) => entry.iso3166alpha2 === country))
    throw new AppError('VALIDATION_ERROR', { message: 'Choose the country that issued your document.' })
  const removed = await capture.database.db.transaction().execute(async (trx) => {
    const now = deps.clock.now()
    const view = await read(trx, capture, now)
    requireOpen('document', view.facts)
    await advance(trx, capture, revision, now, {
      document_type: choice.documentType,
      issuing_country: country,
    })
    if (view.progress.document_type === null || view.progress.document_type === choice.documentType) return []
    return deleteDocuments(trx, capture.session.id, ['document_front', 'document_back'])
  })
  await discard(
    deps,
    removed.map((row) => row.storage_key),
  )
}

/** A challenge as the page learns it: what to ask for, and until when frames are taken. */
export type IssuedChallenge = { id: string; steps: ChallengeStep[]; answerBy: number }

const issued = (deps: CaptureDeps, challenge: SelfieChallengeRow): IssuedChallenge => ({
  id: challenge.id,
  steps: stepsOf(challenge),
  answerBy: challenge.issued_at + deps.config.CHALLENGE_ANSWER_SECONDS * 1000,
})

type Sealed = Awaited<ReturnType<DocumentVault['put']>>
type Normalized = Awaited<ReturnType<typeof normalizeUpload>>

const documentRow = (
  capture: Capture,
  id: string,
  slot: DocumentFileRow['slot'],
  file: Normalized,
  sealed: Sealed,
  now: number,
) => ({
  id,
  session_id: capture.session.id,
  user_id: capture.user.id,
  slot,
  media_type: file.mediaType,
  original_type: file.originalType,
  byte_size: sealed.byteSize,
  width: file.width,
  height: file.height,
  sha256: sealed.sha256,
  storage_key: sealed.storageKey,
  wrapped_key: sealed.wrappedKey,
  created_at: now,
})

/**
 * Stores one photo (or PDF) for a step, replacing an earlier one. The bytes are checked and normalized
 * before anything is written; the encrypted object is written before the row that points at it, and
 * removed again if the row cannot be written, so a refused or failed upload leaves nothing half-saved.
 * A selfie gets a new active challenge in the same transaction: the previous one is replaced and its
 * frames discarded, since they showed the face of another selfie attempt.
 */
export const storeUpload = async (
  deps: CaptureDeps,
  capture: Capture,
  /** The flow as the caller read it to check the form; checked again inside the transaction. */
  before: FlowView,
  step: UploadStep,
  bytes: Buffer,
): Promise<{ document: DocumentFileRow; challenge?: IssuedChallenge }> => {
  requireOpen(step, before.facts)
  const normalized = await deps.decodes.run(capture.session.id, async () => {
    await requireStillExpected(deps, capture, step, before)
    await spendUploadBudget(capture, 1)
    return normalizeUpload(bytes, step === 'address' ? 'photo-or-pdf' : 'photo', {
      timeoutMs: deps.config.DECODE_TIMEOUT_MS,
    })
  })
  const slot: DocumentSlot = SLOT_OF_STEP[step]
  const id = newId('document')
  const sealed = await deps.vault.put(id, `${capture.database.region}/${id}`, normalized.bytes)
  try {
    const { document, challenge, replaced } = await capture.database.db.transaction().execute(async (trx) => {
      const now = deps.clock.now()
      const view = await read(trx, capture, now)
      requireOpen(step, view.facts)
      await advance(trx, capture, before.progress.revision, now)
      const slots = step === 'selfie' ? [slot, ...CHALLENGE_SLOTS] : [slot]
      const replaced = await deleteDocuments(trx, capture.session.id, slots)
      const document = await insertDocument(trx, documentRow(capture, id, slot, normalized, sealed, now))
      const challenge =
        step === 'selfie'
          ? await issueChallenge(trx, {
              id: newId('challenge'),
              session_id: capture.session.id,
              selfie_id: id,
              steps: JSON.stringify(pickChallengeSteps(deps.randomBelow)),
              issued_at: now,
            })
          : undefined
      await deps.verificationChanges.publish(trx, {
        kind: 'upload-stored',
        database: capture.database,
        sessionId: capture.session.id,
        documentId: id,
        slot,
        sandbox: capture.client.mode === 'sandbox',
        at: now,
      })
      return { document, challenge, replaced }
    })
    await discard(
      deps,
      replaced.map((old) => old.storage_key),
    )
    return { document, ...(challenge ? { challenge: issued(deps, challenge) } : {}) }
  } catch (error) {
    await deps.vault.delete(sealed.storageKey)
    throw error
  }
}

/** A challenge that frames may answer now, with its poses in order. */
export type AnswerableChallenge = { row: SelfieChallengeRow; steps: ChallengeStep[] }

/**
 * The challenge that frames claim to answer, refused unless it is this session's current one, still
 * unanswered and in time. Checked before the form's token, so that a late or repeated answer is told
 * what happened (409) rather than that the page is out of date.
 */
export const requireAnswerableChallenge = async (
  deps: CaptureDeps,
  capture: Capture,
  challengeId: unknown,
  db: Queryable = capture.database.db,
): Promise<AnswerableChallenge> => {
  const row =
    typeof challengeId === 'string' && challengeId.length <= 40
      ? await findChallenge(db, challengeId)
      : undefined
  const refusal = challengeRefusal(
    row,
    capture.session.id,
    deps.clock.now(),
    deps.config.CHALLENGE_ANSWER_SECONDS * 1000,
  )
  if (refusal || !row) throw refusal
  return { row, steps: stepsOf(row) }
}

/** Refuses an answer with other than one frame per step of the challenge. */
export const wrongFrameCount = (steps: readonly ChallengeStep[]) =>
  new AppError('CHALLENGE_FRAMES', {
    message: `The live check needs exactly ${steps.length} photos, one for each head movement.`,
  })

/** Most frames a challenge answer may carry: the route's multipart limits come from it. */
export const MAX_CHALLENGE_FRAMES = MAX_CHALLENGE_STEPS

/**
 * Stores the frames that answer the selfie's challenge, one per step in the challenge's order. Each
 * frame goes through what any photo goes through (the decode limiter, the session's upload budget,
 * `normalizeUpload`); they are stored together or not at all, and the challenge is marked answered in
 * the same transaction, so it is answered exactly once.
 */
export const answerChallenge = async (
  deps: CaptureDeps,
  capture: Capture,
  before: FlowView,
  { row: challenge, steps }: AnswerableChallenge,
  frames: Buffer[],
): Promise<void> => {
  requireOpen('selfie', before.facts)
  if (frames.length !== steps.length) throw wrongFrameCount(steps)
  const stillAnswerable = async (db: Queryable) => {
    await requireAnswerableChallenge(deps, capture, challenge.id, db)
  }
  const normalized = await deps.decodes.run(capture.session.id, async () => {
    await requireStillExpected(deps, capture, 'selfie', before, stillAnswerable)
    await spendUploadBudget(capture, frames.length)
    const decoded: Normalized[] = []
    for (const frame of frames)
      decoded.push(await normalizeUpload(frame, 'photo', { timeoutMs: deps.config.DECODE_TIMEOUT_MS }))
    return decoded
  })
  const slots = frameSlots(steps)
  const stored: { id: string; sealed: Sealed }[] = []
  try {
    for (const file of normalized) {
      const id = newId('document')
      stored.push({ id, sealed: await deps.vault.put(id, `${capture.database.region}/${id}`, file.bytes) })
    }
    const replaced = await capture.database.db.transaction().execute(async (trx) => {
      const now = deps.clock.now()
      await stillAnswerable(trx)
      const view = await read(trx, capture, now)
      requireOpen('selfie', view.facts)
      await advance(trx, capture, before.progress.revision, now)
      if (!(await markChallengeAnswered(trx, challenge.id, now))) throw new AppError('CHALLENGE_ANSWERED')
      const replaced = await deleteDocuments(trx, capture.session.id, CHALLENGE_SLOTS)
      for (const [index, frame] of stored.entries())
        await insertDocument(
          trx,
          documentRow(
            capture,
            frame.id,
            slots[index] as DocumentFileRow['slot'],
            normalized[index] as Normalized,
            frame.sealed,
            now,
          ),
        )
      return replaced
    })
    await discard(
      deps,
      replaced.map((old) => old.storage_key),
    )
  } catch (error) {
    await discard(
      deps,
      stored.map((frame) => frame.sealed.storageKey),
    )
    throw error
  }
}

/** A US user who gave no SSN at onboarding gives it here; it is sealed like the onboarding one. */
export const giveSsn = async (deps: CaptureDeps, capture: Capture, revision: number, value: string) => {
  const ssn = normalizeSsn(value)
  if (!ssn)
    throw new AppError('VALIDATION_ERROR', {
      message: 'Enter a valid US Social Security number, like 123-45-6789.',
    })
  // Another session of the user may already have been submitted: then the SSN it was checked with stays.
  await whileIdentityUnchecked(capture.database, capture.user.id, 'identity', async (trx) => {
    const now = deps.clock.now()
    const view = await read(trx, capture, now)
    requireOpen('ssn', view.facts)
    await advance(trx, capture, revision, now, { ssn_provided_at: now })
    await updateUser(trx, capture.user.id, { ...sealSsn(deps.keys, capture.user.id, ssn), updated_at: now })
  })
}

export const CAMERA_EVENTS = ['camera_denied', 'camera_unsupported', 'camera_error'] as const
export type CameraEvent = (typeof CAMERA_EVENTS)[number]
const MAX_EVENTS = 20

/** Notes what the page saw (a camera refused or missing) on the session, for support and review. */
export const recordEvent = async (deps: CaptureDeps, capture: Capture, type: CameraEvent) => {
  await capture.database.db.transaction().execute(async (trx) => {
    const now = deps.clock.now()
    const { progress } = await read(trx, capture, now)
    const events = JSON.parse(progress.events) as { type: string; at: number }[]
    if (events.length >= MAX_EVENTS) return
    await saveEvents(trx, capture.session.id, [...events, { type, at: now }])
  })
}

/**
 * Submits the session: in the one transaction of `submitSession` (session submitted, user PENDING,
 * check job enqueued), after checking that every step is done and that this form is the current one.
 */
export const submit = async (deps: CaptureDeps, capture: Capture, revision: number) => {
  const client = await getClient(deps, capture.session.client_id)
  await submitSession(
    deps,
    capture.database,
    capture.session.id,
    capture.client.mode === 'sandbox',
    async (trx) => {
      const now = deps.clock.now()
      await requireActiveAccount(trx, capture, client)
      const view = await read(trx, capture, now)
      requireOpen('review', view.facts)
      if (requiredSlots(view.facts).some((slot) => !view.facts.uploaded.has(slot)))
        throw new AppError('FLOW_STEP_MISSING')
      // Not required (without a camera there is none), but recorded: the checks send a submission
      // without it to a person.
      const challenge = completedFrames(await currentChallengeOf(trx, capture.session.id), view.documents)
      await advance(trx, capture, revision, now, { challenge_completed: challenge ? 1 : 0 })
      return { includesAddress: view.facts.uploaded.has('proof_of_address') }
    },
  )
}

export const STATUS_PHASES = ['checking', 'approved', 'rejected', 'resubmit', 'review'] as const
export type StatusView = {
  phase: (typeof STATUS_PHASES)[number]
  reasons: Reason[]
}

/** What the status page shows: the session's outcome once there is one. */
export const statusOf = (capture: Pick<Capture, 'session'>): StatusView => {
  const reasons = JSON.parse(capture.session.reasons) as Reason[]
  switch (capture.session.outcome) {
    case 'approved':
      return { phase: 'approved', reasons: [] }
    case 'rejected':
      return { phase: 'rejected', reasons }
    case 'resubmission_required':
      return { phase: 'resubmit', reasons }
    case 'review':
      return { phase: 'review', reasons: [] }
    default:
      return { phase: 'checking', reasons: [] }
  }
}
