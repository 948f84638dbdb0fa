import type { Config } from '../../config/config.ts'
import type { DocumentPolicy } from '../../config/document-policy.ts'
import type { Databases, RegionDatabase } from '../../db/database.ts'
import type { CheckOutcome, DocumentSlot, SessionRow, UserRow } from '../../db/schema.ts'
import type { Keys } from '../../lib/keys.ts'
import type { Client } from '../clients/index.ts'
import type { ReasonCode, SubmittedIdentity } from '../verification/index.ts'
import type { Analysis } from './analysis/analysis.ts'
import type { AnalysisInput, AnalyzerName } from './analysis/input.ts'

/**
 * What a check looks at. Checks only read: the decision is the rules' (rules.ts), recorded through
 * verification's decision seam.
 */
export type CheckContext = {
  session: SessionRow
  user: UserRow
  client: Client | undefined
  sandbox: boolean
  /** What the user submitted, as the flow recorded it (files decrypted). */
  input: AnalysisInput
  /** What the analyzers found in the files (analysis/), computed once per run. */
  analysis: Analysis
  /** The identity data frozen at submission, the SSN opened; null when the session holds none. */
  identity: SubmittedIdentity | null
  /** The document policy of the session's region, narrowed by its client's settings (policy.ts). */
  policy: DocumentPolicy
  /** The key of the identity fingerprints the duplicate check compares (fingerprints.ts). */
  keys: Pick<Keys, 'identityFingerprints'>
  /** When the checks run (expiry and age are judged at this instant). */
  now: number
  /** The session's region database and the home database, for checks that look data up (read only). */
  database: RegionDatabase
  databases: Databases
  /** The thresholds the checks apply (configuration, with documented defaults: src/config/env-schema.ts). */
  config: CheckConfig
}

/** The configuration the checks read: their thresholds, with documented defaults (env-schema.ts). */
export type CheckConfig = Config

/**
 * Which part of the evidence a check speaks for. A submission is approved only when every kind its
 * mode requires has a passing check (rules.ts): a live submission needs the document, exactly one face
 * in the selfie (`selfie`), the selfie matching the document portrait (`face`) and the active challenge
 * (`liveness`).
 */
export type CheckKind =
  | 'account'
  | 'analysis'
  | 'scenario'
  | 'usability'
  | 'document'
  | 'face'
  | 'document-policy'
  | 'validity'
  | 'duplicate'
  | 'ssn'
  | 'address'
  | 'selfie'
  | 'liveness'
  | 'identity'
  | 'screening'

export type CheckFinding = {
  outcome: CheckOutcome
  /** Why, from the reason catalogue: required for `fail`, and for `inconclusive` when there is one. */
  reason?: ReasonCode
  score?: number
  /** What the check saw, for the reviewer; sealed at rest. */
  evidence?: Record<string, unknown>
}

/** One check: its own file, one small interface (composed in a list in pipeline.ts). */
export type Check = {
  id: string
  /** Bumped whenever the logic or a threshold changes, so a stored result says what produced it. */
  version: string
  kind: CheckKind
  appliesTo(context: CheckContext): boolean
  run(context: CheckContext): Promise<CheckFinding> | CheckFinding
  /**
   * For the fast checks that can judge one upload on its own (image usability, the document and its
   * MRZ or barcode found, one face). They then also run on each upload, and a retryable failure asks
   * the user for a retake while they are still on the page.
   */
  feedback?: {
    /** True for the slots the check judges. */
    on(slot: DocumentSlot, input: AnalysisInput): boolean
    /** The analyzers whose parts the check reads: an upload is analysed by these only. */
    reads: readonly AnalyzerName[]
  }
}

export type CheckResult = CheckFinding & Pick<Check, 'id' | 'version' | 'kind'>
