import type { Queryable } from '../../db/database.ts'
import { lockNames } from '../../db/row-locks.ts'
import {
  CONSENT_TYPES,
  type ConsentAuditTable,
  type ConsentLinkRow,
  type ConsentPolicyType,
  type ConsentRecordRow,
  type ConsentSetRow,
  type ConsentStatus,
  type ConsentType,
} from '../../db/schema.ts'
import { type Clock, isoTime } from '../../lib/clock.ts'
import { AppError } from '../../lib/errors.ts'
import { newUuid } from '../../lib/ids.ts'
import type { ClientScope } from '../clients/index.ts'
import { findOnboardingUser, lockUser } from '../users/index.ts'
import { type ConsentEvaluation, evaluateConsents, newConsentSetProblems, policyForRegion } from './policy.ts'
import * as repo from './repo.ts'

export type ConsentDeps = { clock: Clock }

/** What the server saw of the request that changes consent: it goes into every record's metadata. */
export type Observed = { ipAddress: string; userAgent: string | null }

type Metadata = Record<string, unknown>

/** Metadata larger than this (as JSON) is refused: it is evidence of consent, not a document store. */
const MAX_METADATA_BYTES = 4096

/** A consent set with its current answers (one per type, in the catalogue's order) and link. */
export type ConsentSetState = {
  set: ConsentSetRow
  current: ConsentRecordRow[]
  link: ConsentLinkRow | null
  updatedAt: number
  evaluation: ConsentEvaluation
}

const validationError = (details: string[]) =>
  new AppError('CONSENT_VALIDATION', { body: { details }, internal: details.join('; ') })

const notFound = (detail: string) => new AppError('CONSENT_NOT_FOUND', { body: { details: [detail] } })

/**
 * The record's metadata: what the client sent (the set's, then the answer's own), under the server's
 * facts. `timestamp` and `clientId` are always the server's; the address and user agent are the
 * client's when it relays its user's (a server-to-server call comes from the client's backend), else
 * what this request came with.
 */
const recordedMetadata = (
  deps: ConsentDeps,
  scope: ClientScope,
  observed: Observed,
  ...given: Array<Metadata | undefined>
): Metadata => {
  const merged: Metadata = Object.assign({}, ...given)
  const metadata = {
    ...merged,
    ipAddress: typeof merged.ipAddress === 'string' ? merged.ipAddress : observed.ipAddress,
    userAgent: typeof merged.userAgent === 'string' ? merged.userAgent : observed.userAgent,
    timestamp: isoTime(deps.clock.now()),
    clientId: scope.client.id,
  }
  if (JSON.stringify(metadata).length > MAX_METADATA_BYTES)
    throw validationError([`metadata is larger than ${MAX_METADATA_BYTES} bytes`])
  return metadata
}

const statesOf = async (db: Queryable, sets: ConsentSetRow[]): Promise<ConsentSetState[]> => {
  const ids = sets.map((set) => set.id)
  const [records, links, changes] = await Promise.all([
    repo.currentRecordsOf(db, ids),
    repo.linksOf(db, ids),
    repo.lastChangesOf(db, ids),
  ])
  return sets.map((set) => {
    const current = records
      .filter((record) => record.consent_set_id === set.id)
      .sort((a, b) => CONSENT_TYPES.indexOf(a.consent_type) - CONSENT_TYPES.indexOf(b.consent_type))
    return {
      set,
      current,
      link: links.find((link) => link.consent_set_id === set.id) ?? null,
      updatedAt: changes.get(set.id) ?? set.created_at,
      evaluation: evaluateConsents(
        set.policy_type,
        current.map((record) => ({ consentType: record.consent_type, consentStatus: record.status })),
      ),
    }
  })
}

const stateOf = async (db: Queryable, set: ConsentSetRow): Promise<ConsentSetState> => {
  const [state] = await statesOf(db, [set])
  if (!state) throw new AppError('INTERNAL_ERROR', { internal: 'consent set state missing' })
  return state
}

export type NewConsentSet = {
  onboardingId: string
  tenantId: string
  policyType: ConsentPolicyType
  consents: Array<{ consentType: string; consentStatus: 'granted' | 'denied'; metadata?: Metadata }>
  metadata?: Metadata
}

/**
 * Records a user's answers during onboarding (POST /v2/consent/onboarding). The onboarding id must be
 * one of this client's, in this region, and still valid; `tenantId` must name this client (its id, or
 * its key as MetaMask sends it).
 */
export const createConsentSet = async (
  deps: ConsentDeps,
  scope: ClientScope,
  input: NewConsentSet,
  observed: Observed,
): Promise<ConsentSetState> => {
  const problems = newConsentSetProblems(input.policyType, input.consents)
  const tenantId = input.tenantId.trim()
  if (tenantId !== scope.client.id && tenantId !== scope.client.clientKey)
    problems.push(`Invalid tenantId: '${input.tenantId}' is not the tenant of this x-client-key`)
  if (problems.length > 0) throw validationError(problems)
  const db = scope.database.db
  const onboardingId = input.onboardingId.trim()
  const user = await findOnboardingUser(db, scope.client.id, onboardingId, deps.clock.now())
  if (!user) throw notFound(`No onboarding found for onboardingId '${onboardingId}'`)

  const now = deps.clock.now()
  const setMetadata = recordedMetadata(deps, scope, observed, input.metadata)
  const set: ConsentSetRow = {
    id: newUuid(),
    client_id: scope.client.id,
    onboarding_id: user.onboarding_id,
    policy_type: input.policyType,
    metadata: JSON.stringify(setMetadata),
    created_at: now,
  }
  const records = input.consents.map((consent) => ({
    id: newUuid(),
    consent_set_id: set.id,
    consent_type: consent.consentType as ConsentType,
    status: consent.consentStatus as ConsentStatus,
    supersedes: null,
    metadata: JSON.stringify(recordedMetadata(deps, scope, observed, input.metadata, consent.metadata)),
    created_at: now,
  }))
  const audit: ConsentAuditTable[] = records.map((record, position) => ({
    id: newUuid(),
    consent_set_id: set.id,
    position,
    action: 'created',
    consent_id: record.id,
    before: null,
    after: JSON.stringify({ consentType: record.consent_type, consentStatus: record.status }),
    metadata: record.metadata,
    created_at: now,
  }))
  await db.transaction().execute(async (trx) => {
    await repo.insertConsentSet(trx, set)
    await repo.insertConsentRecords(trx, records)
    await repo.insertConsentAudit(trx, audit)
  })
  return stateOf(db, set)
}

/**
 * Every consent set recorded for an onboarding id of this client. The id is the credential of this
 * read, so it must still be valid (as on the registration steps): an expired id, like an unknown one,
 * is 404.
 */
export const consentSetsOfOnboarding = async (
  deps: ConsentDeps,
  scope: ClientScope,
  onboardingId: string,
): Promise<ConsentSetState[]> => {
  const db = scope.database.db
  const absent = notFound(`No consent sets found for onboardingId '${onboardingId}'`)
  const user = await findOnboardingUser(db, scope.client.id, onboardingId, deps.clock.now())
  if (!user) throw absent
  const sets = await repo.consentSetsOfOnboarding(db, scope.client.id, user.onboarding_id)
  if (sets.length === 0) throw absent
  return statesOf(db, sets)
}

/**
 * How the caller of a write proved it is the client: its secret, or (a public client) its client key
 * in the secret's place, which proves nothing (decision 200).
 */
export type WriteCredential = 'secret' | 'public-key'

/**
 * The consent set a link or revocation names. With the public key only, the set's onboarding id must
 * also still be valid: the set id was learnt from the onboarding id, and it authorizes no longer than
 * that id does.
 */
const requireConsentSet = async (
  deps: ConsentDeps,
  db: Queryable,
  scope: ClientScope,
  consentSetId: string,
  credential: WriteCredential,
) => {
  const set = await repo.findConsentSet(db, scope.client.id, consentSetId)
  const expired =
    set !== undefined &&
    credential === 'public-key' &&
    !(await findOnboardingUser(db, scope.client.id, set.onboarding_id, deps.clock.now()))
  if (!set || expired) throw notFound(`No consent set found for consentSetId '${consentSetId}'`)
  return set
}

/**
 * Links a consent set to the user who gave it (PATCH /v2/consent/onboarding/{consentSetId}): the user
 * must be the one the set's onboarding id belongs to. A set is linked once; linking it again to the
 * same user answers the same link.
 */
export const linkConsentSet = async (
  deps: ConsentDeps,
  scope: ClientScope,
  consentSetId: string,
  userId: string,
  observed: Observed,
  credential: WriteCredential,
): Promise<ConsentSetState> => {
  const { database } = scope
  const set = await database.db.transaction().execute(async (trx) => {
    const found = await requireConsentSet(deps, trx, scope, consentSetId, credential)
    const user = await lockUser(database, trx, userId)
    if (!user || user.client_id !== scope.client.id || user.onboarding_id !== found.onboarding_id)
      throw notFound(`No user '${userId}' found for the onboardingId of consent set '${consentSetId}'`)
    const [existing] = await repo.linksOf(trx, [found.id])
    if (existing) return found
    const now = deps.clock.now()
    await repo.insertConsentLink(trx, {
      consent_set_id: found.id,
      user_id: user.id,
      sequence: (await repo.lastLinkSequence(trx, user.id)) + 1,
      linked_at: now,
    })
    await repo.insertConsentAudit(trx, [
      {
        id: newUuid(),
        consent_set_id: found.id,
        position: 0,
        action: 'linked',
        consent_id: null,
        before: JSON.stringify({ userId: null }),
        after: JSON.stringify({ userId: user.id }),
        metadata: JSON.stringify(recordedMetadata(deps, scope, observed)),
        created_at: now,
      },
    ])
    return found
  })
  return stateOf(database.db, set)
}

/** The user's linked consent sets of this client, the most recently linked last (404 when none). */
export const consentSetsOfUser = async (scope: ClientScope, userId: string): Promise<ConsentSetState[]> => {
  const db = scope.database.db
  const sets = await repo.consentSetsOfUser(db, scope.client.id, userId)
  if (sets.length === 0) throw notFound(`No consent sets found for userId '${userId}'`)
  return statesOf(db, sets)
}

/** A user's consent is complete when the set they were linked to last completes its policy. */
export const userConsentComplete = (states: readonly ConsentSetState[]): boolean =>
  states.at(-1)?.evaluation.complete ?? false

export const consentAuditOfUser = async (
  scope: ClientScope,
  userId: string,
  page: { limit: number; offset: number },
) => {
  await consentSetsOfUser(scope, userId)
  return repo.auditOfUser(scope.database.db, scope.client.id, userId, page)
}

export type Revocation = { set: ConsentSetRow; link: ConsentLinkRow | null; revoked: ConsentRecordRow }

/**
 * Revokes one current answer of a set (DELETE …/consentSet/{id}/consent/{consentId}) by appending a
 * `revoked` record that supersedes it, and its audit record. An unknown or already revoked consent is
 * 404.
 */
export const revokeConsent = async (
  deps: ConsentDeps,
  scope: ClientScope,
  consentSetId: string,
  consentId: string,
  observed: Observed,
  credential: WriteCredential,
): Promise<Revocation> => {
  const { database } = scope
  return database.db.transaction().execute(async (trx) => {
    const set = await requireConsentSet(deps, trx, scope, consentSetId, credential)
    // Two revocations of one consent: the second waits here, then finds it superseded.
    await lockNames(database, trx, [`consent-set:${set.id}`])
    const record = await repo.findCurrentRecord(trx, set.id, consentId)
    if (!record || record.status === 'revoked')
      throw notFound(`No active consent '${consentId}' found in consent set '${consentSetId}'`)
    const now = deps.clock.now()
    const metadata = JSON.stringify(recordedMetadata(deps, scope, observed))
    const revoked: ConsentRecordRow = {
      id: newUuid(),
      consent_set_id: set.id,
      consent_type: record.consent_type,
      status: 'revoked',
      supersedes: record.id,
      metadata,
      created_at: now,
    }
    await repo.insertConsentRecords(trx, [revoked])
    await repo.insertConsentAudit(trx, [
      {
        id: newUuid(),
        consent_set_id: set.id,
        position: 0,
        action: 'revoked',
        consent_id: revoked.id,
        before: JSON.stringify({ consentType: record.consent_type, consentStatus: record.status }),
        after: JSON.stringify({ consentType: record.consent_type, consentStatus: 'revoked' }),
        metadata,
        created_at: now,
      },
    ])
    const [link] = await repo.linksOf(trx, [set.id])
    return { set, link: link ?? null, revoked }
  })
}

/**
 * Whether a user may be issued a card as far as consent goes: the set they were linked to last must
 * complete its policy, and in the us region that policy must be US (the E-Sign Act consent included).
 */
export const hasCardConsent = async (
  scope: ClientScope,
  userId: string,
  db: Queryable = scope.database.db,
): Promise<boolean> => {
  const sets = await repo.consentSetsOfUser(db, scope.client.id, userId)
  const latest = (await statesOf(db, sets)).at(-1)
  if (!latest?.evaluation.complete) return false
  return evaluateConsents(
    policyForRegion(scope.region),
    latest.current.map((record) => ({ consentType: record.consent_type, consentStatus: record.status })),
  ).complete
}
