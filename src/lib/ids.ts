import { randomUUID } from 'node:crypto'
import { ulid } from 'ulid'

/**
 * Internal identifiers are prefixed ULIDs (`cli_01J…`): sortable by creation and self-describing in
 * logs. Identifiers the Baanx contract shows as UUIDs (user ids, onboarding ids, event ids, client
 * keys) use `newUuid()` instead, because real clients validate them as UUIDs.
 */
const PREFIXES = {
  client: 'cli',
  job: 'job',
  request: 'req',
  message: 'msg',
  code: 'vc',
  session: 'ses',
  transition: 'vst',
} as const

export type IdKind = keyof typeof PREFIXES

export const newId = (kind: IdKind): string => `${PREFIXES[kind]}_${ulid()}`

export const newUuid = (): string => randomUUID()
