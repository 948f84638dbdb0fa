import type { Config } from '../../config/config.ts'
import type { Databases, RegionDatabase } from '../../db/database.ts'
import type { CheckOutcome, SessionRow, UserRow } from '../../db/schema.ts'
import type { Client } from '../clients/index.ts'
import type { ReasonCode } from '../verification/index.ts'
import type { Analysis } from './analysis/analysis.ts'
import type { AnalysisInput } from './analysis/input.ts'

/**
 * What a check looks at. Checks only read: the decision is the rules' (rules.ts), recorded through
 * verification's decision seam.
 */
export type CheckContext = {
  session: SessionRow
  user: UserRow
  client: Client | undefined
  sandbox: boolean
  /** Thresholds and other settings the checks read (documented in config/env-schema.ts). */
  config: Config
  /** What the user submitted, as the flow recorded it (files decrypted). */
  input: AnalysisInput
  /** What the analyzers found in the files (analysis/), computed once per run. */
  analysis: Analysis
  /** When the checks run (expiry and age are judged at this instant). */
  now: number
  /** The session's region database and the home database, for checks that look data up (read only). */
  database: RegionDatabase
  databases: Databases
}

/**
 * Which part of the evidence a check speaks for. A submission is approved only when every kind its
 * mode requires has a passing check (rules.ts): a live submission needs the document and the face,
 * which the automated checks of issue #12 will provide; until they exist, live submissions go to a person.
 */
export type CheckKind = 'account' | 'scenario' | 'document' | 'face'

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
}

export type CheckResult = CheckFinding & Pick<Check, 'id' | 'version' | 'kind'>
