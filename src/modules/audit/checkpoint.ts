import type { RegionDatabase } from '../../db/database.ts'
import type { Keys } from '../../lib/keys.ts'
import { type CheckpointTip, checkpointSignature, GENESIS_HASH, sameSignature } from './chain.ts'
import * as repo from './repo.ts'

/**
 * A checkpoint: every region's chain tip at one moment, signed. Kept outside the server (by an auditor,
 * in a ticket, in another system), it lets `verity audit verify --checkpoint` show what a hash chain
 * alone cannot: that entries were cut off its end, or the chain rebuilt from some point on.
 */
export type AuditCheckpoint = { createdAt: string; tips: CheckpointTip[]; signature: string }

export const takeCheckpoint = async (
  databases: readonly Pick<RegionDatabase, 'db' | 'region'>[],
  keys: Pick<Keys, 'auditChain'>,
  now: number,
): Promise<AuditCheckpoint> => {
  const tips: CheckpointTip[] = []
  for (const database of databases) {
    const tip = await repo.chainTip(database.db)
    tips.push({ region: database.region, sequence: tip?.sequence ?? 0, hash: tip?.hash ?? GENESIS_HASH })
  }
  const createdAt = new Date(now).toISOString()
  return { createdAt, tips, signature: checkpointSignature(keys.auditChain, createdAt, tips) }
}

export const CHECKPOINT_FAILURES = {
  not_signed: 'the checkpoint was not made by this server, or it was edited since',
  unknown_region: 'this server has no such region',
  cut_off: 'the chain ends before the entry the checkpoint saw: entries were removed from its end',
  rewritten: "the entry at the checkpoint's position is not the one it saw: the chain was rebuilt",
} as const
export type CheckpointFailure = keyof typeof CHECKPOINT_FAILURES

export type CheckpointCheck =
  | { region: string; ok: true; sequence: number }
  | { region: string; ok: false; sequence: number; failure: CheckpointFailure; explanation: string }

const failed = (region: string, sequence: number, failure: CheckpointFailure): CheckpointCheck => ({
  region,
  ok: false,
  sequence,
  failure,
  explanation: CHECKPOINT_FAILURES[failure],
})

/**
 * Whether each region's chain still holds the entry the checkpoint saw as its tip, at the same place
 * and with the same hash. Together with the chain walk (every later entry links back to it) this shows
 * the chain has only grown since. A checkpoint whose signature does not verify proves nothing.
 */
export const checkAgainstCheckpoint = async (
  databases: readonly Pick<RegionDatabase, 'db' | 'region'>[],
  keys: Pick<Keys, 'auditChain'>,
  checkpoint: AuditCheckpoint,
): Promise<CheckpointCheck[]> => {
  const expected = checkpointSignature(keys.auditChain, checkpoint.createdAt, checkpoint.tips)
  if (!sameSignature(expected, checkpoint.signature))
    return checkpoint.tips.map((tip) => failed(tip.region, tip.sequence, 'not_signed'))
  const checks: CheckpointCheck[] = []
  for (const tip of checkpoint.tips) {
    const database = databases.find((each) => each.region === tip.region)
    if (!database) {
      checks.push(failed(tip.region, tip.sequence, 'unknown_region'))
      continue
    }
    if (tip.sequence === 0) {
      checks.push({ region: tip.region, ok: true, sequence: 0 })
      continue
    }
    const entry = await repo.entryAt(database.db, tip.sequence)
    if (!entry) checks.push(failed(tip.region, tip.sequence, 'cut_off'))
    else if (!sameSignature(entry.hash, tip.hash)) checks.push(failed(tip.region, tip.sequence, 'rewritten'))
    else checks.push({ region: tip.region, ok: true, sequence: tip.sequence })
  }
  return checks
}
