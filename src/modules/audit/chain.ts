import { createHmac, timingSafeEqual } from 'node:crypto'
import type { Region } from '../../db/database.ts'

/**
 * The hash chain, pure: how an entry is encoded and hashed, and how a run of entries is checked link by
 * link. Each entry's hash covers its predecessor's, so changing, removing or reordering any entry breaks
 * every later link; the key (keys.auditChain) means nobody without the server secret can re-hash an
 * altered chain into a valid one. What a chain cannot show on its own is its last entries being cut off:
 * a checkpoint (`verity audit checkpoint`), the signed tips kept outside the server, shows that.
 */

/** The predecessor of entry 1. */
export const GENESIS_HASH = '0'.repeat(64)

const ENCODING_VERSION = 'verity.audit.v1'

/** The fields a hash covers, exactly as stored (details as its JSON text). */
export type ChainedEntry = {
  sequence: number
  occurredAt: number
  actor: string
  action: string
  subjectType: string | null
  subjectId: string | null
  details: string
  prevHash: string
}

/**
 * Canonical encoding: a JSON array in a fixed order. JSON escapes every string, so no two different
 * entries encode alike (no field can pose as a separator). The region binds the chain to its database:
 * entries copied from the other region's chain do not verify here.
 */
export const encodeEntry = (region: Region, entry: ChainedEntry): string =>
  JSON.stringify([
    ENCODING_VERSION,
    region,
    entry.sequence,
    entry.occurredAt,
    entry.actor,
    entry.action,
    entry.subjectType,
    entry.subjectId,
    entry.details,
    entry.prevHash,
  ])

export const entryHash = (key: Buffer, region: Region, entry: ChainedEntry): string =>
  createHmac('sha256', key).update(encodeEntry(region, entry), 'utf8').digest('hex')

export const CHAIN_BREAKS = {
  sequence_gap: 'an entry before it is missing (the sequence skips)',
  prev_hash_mismatch: "its link to the previous entry does not match that entry's hash",
  hash_mismatch: 'its content was altered (the hash does not match)',
} as const
export type ChainBreak = keyof typeof CHAIN_BREAKS

const sameHash = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))

/**
 * Checks entries one at a time, in sequence order, each against the one before: the first break found
 * is the first entry that cannot be trusted (everything before it verified).
 */
export const chainChecker = (key: Buffer, region: Region) => {
  let previous = { sequence: 0, hash: GENESIS_HASH }
  return {
    check(entry: ChainedEntry & { hash: string }): ChainBreak | undefined {
      const expected = previous
      previous = { sequence: entry.sequence, hash: entry.hash }
      if (entry.sequence !== expected.sequence + 1) return 'sequence_gap'
      if (!sameHash(entry.prevHash, expected.hash)) return 'prev_hash_mismatch'
      if (!sameHash(entry.hash, entryHash(key, region, entry))) return 'hash_mismatch'
      return undefined
    },
  }
}

/** The tip of one region's chain when a checkpoint was taken (an empty chain: sequence 0, GENESIS_HASH). */
export type CheckpointTip = { region: Region; sequence: number; hash: string }

const CHECKPOINT_VERSION = 'verity.audit.checkpoint.v1'

/**
 * A checkpoint's signature: HMAC-SHA256 under the chain key over its own canonical encoding, whose
 * version tag differs from an entry's, so a signature can never pass for an entry hash or the reverse.
 * It shows the checkpoint was made by a server holding the secret and not edited since.
 */
export const checkpointSignature = (key: Buffer, createdAt: string, tips: readonly CheckpointTip[]): string =>
  createHmac('sha256', key)
    .update(
      JSON.stringify([
        CHECKPOINT_VERSION,
        createdAt,
        ...tips.map((tip) => [tip.region, tip.sequence, tip.hash]),
      ]),
      'utf8',
    )
    .digest('hex')

export const sameSignature = (a: string, b: string) => sameHash(a, b)
