import { randomFillSync, randomUUID } from 'node:crypto'
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
  document: 'doc',
  webhook: 'whe',
  delivery: 'whd',
  attempt: 'wha',
  review: 'rvd',
  pending: 'pdd',
  challenge: 'chl',
  sanctionsVersion: 'slv',
  sanctionsEntry: 'sle',
  screeningAlert: 'sca',
  staff: 'stf',
  staffSession: 'sts',
  oauthFamily: 'otf',
} as const

export type IdKind = keyof typeof PREFIXES

// ulid's default source asks the OS for one byte per character (16 calls per id); drawing from a pooled
// buffer of the same CSPRNG output is equally random and an order of magnitude cheaper.
const pool = new Uint8Array(4096)
let poolIndex = pool.length
const pooledRandom = (): number => {
  if (poolIndex >= pool.length) {
    randomFillSync(pool)
    poolIndex = 0
  }
  return (pool[poolIndex++] as number) / 256
}

export const newId = (kind: IdKind): string => `${PREFIXES[kind]}_${ulid(undefined, pooledRandom)}`

export const newUuid = (): string => randomUUID()
