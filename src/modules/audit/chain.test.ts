import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type ChainedEntry,
  type CheckpointTip,
  chainChecker,
  checkpointSignature,
  entryHash,
  GENESIS_HASH,
} from './chain.ts'

const KEY = Buffer.alloc(32, 7)

type Stored = ChainedEntry & { hash: string }

const content = fc.record({
  occurredAt: fc.integer({ min: 0, max: 2 ** 45 }),
  actor: fc.string({ maxLength: 20 }),
  action: fc.constantFrom('case.decide', 'client.create', 'user.suspend'),
  subject: fc.option(fc.tuple(fc.constantFrom('session', 'user'), fc.string({ maxLength: 12 }))),
  details: fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
})

type Content = typeof content extends fc.Arbitrary<infer T> ? T : never

/** A chain as appendAudit builds it. */
const chainOf = (contents: Content[]): Stored[] => {
  const chain: Stored[] = []
  for (const [index, each] of contents.entries()) {
    const entry: ChainedEntry = {
      sequence: index + 1,
      occurredAt: each.occurredAt,
      actor: each.actor,
      action: each.action,
      subjectType: each.subject?.[0] ?? null,
      subjectId: each.subject?.[1] ?? null,
      details: JSON.stringify(each.details),
      prevHash: chain.at(-1)?.hash ?? GENESIS_HASH,
    }
    chain.push({ ...entry, hash: entryHash(KEY, 'intl', entry) })
  }
  return chain
}

/** The sequence number of the first entry the checker refuses, with why. */
const firstBreak = (chain: Stored[], region: 'intl' | 'us' = 'intl') => {
  const checker = chainChecker(KEY, region)
  for (const entry of chain) {
    const reason = checker.check(entry)
    if (reason) return { at: entry.sequence, reason }
  }
  return undefined
}

const chains = fc.array(content, { minLength: 1, maxLength: 12 }).map(chainOf)
const chainAndIndex = chains.chain((chain) =>
  fc.tuple(fc.constant(chain), fc.integer({ min: 0, max: chain.length - 1 })),
)

describe('the audit hash chain', () => {
  it('verifies every chain built link by link', () => {
    fc.assert(
      fc.property(chains, (chain) => {
        expect(firstBreak(chain)).toBeUndefined()
      }),
    )
  })

  it('names the altered entry, whichever field of whichever entry changed', () => {
    const fields = [
      'occurredAt',
      'actor',
      'action',
      'subjectType',
      'subjectId',
      'details',
      'sequence',
    ] as const
    fc.assert(
      fc.property(chainAndIndex, fc.constantFrom(...fields), ([chain, index], field) => {
        const altered = chain.map((entry) => ({ ...entry }))
        const target = altered[index] as Stored
        if (field === 'occurredAt') target.occurredAt += 1
        else if (field === 'sequence') target.sequence += 0.5
        else target[field] = `${target[field] ?? ''}x`
        const broken = firstBreak(altered)
        expect(broken?.at).toBe(target.sequence)
        expect(broken?.reason).toBe(field === 'sequence' ? 'sequence_gap' : 'hash_mismatch')
      }),
    )
  })

  it('names an entry whose link was altered, and the entry after a removed one', () => {
    fc.assert(
      fc.property(chainAndIndex, ([chain, index]) => {
        const relinked = chain.map((entry, i) =>
          i === index ? { ...entry, prevHash: 'f'.repeat(64) } : entry,
        )
        expect(firstBreak(relinked)).toEqual({ at: index + 1, reason: 'prev_hash_mismatch' })
        const removed = chain.filter((_, i) => i !== index)
        // Removing the last entry leaves a shorter valid chain: the tip is what shows it (README).
        if (index === chain.length - 1) expect(firstBreak(removed)).toBeUndefined()
        else expect(firstBreak(removed)).toEqual({ at: index + 2, reason: 'sequence_gap' })
      }),
    )
  })

  it('refuses a chain re-hashed without the key, and one copied from the other region', () => {
    fc.assert(
      fc.property(chains, (chain) => {
        expect(firstBreak(chain, 'us')).toEqual({ at: 1, reason: 'hash_mismatch' })
        const forged = chain.map((entry) => ({
          ...entry,
          hash: entryHash(Buffer.alloc(32, 8), 'intl', entry),
        }))
        expect(firstBreak(forged)?.at).toBe(1)
      }),
    )
  })
})

describe('checkpoint signatures', () => {
  const hex = fc.stringMatching(/^[0-9a-f]{64}$/)
  const tips = fc.tuple(
    fc.record({ region: fc.constant('intl' as const), sequence: fc.nat(), hash: hex }),
    fc.record({ region: fc.constant('us' as const), sequence: fc.nat(), hash: hex }),
  )
  const createdAt = fc.date({ noInvalidDate: true }).map((date) => date.toISOString())
  type Signed = { key: Buffer; at: string; tips: CheckpointTip[] }
  /** One edit of what was signed; each must change the signature. */
  const edits: Record<string, (signed: Signed) => Signed> = {
    time: (signed) => ({ ...signed, at: `${signed.at}0` }),
    sequence: (signed) => ({
      ...signed,
      tips: signed.tips.map((tip, index) => (index === 0 ? { ...tip, sequence: tip.sequence + 1 } : tip)),
    }),
    hash: (signed) => ({
      ...signed,
      tips: signed.tips.map((tip, index) =>
        index === 1 ? { ...tip, hash: tip.hash.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')) } : tip,
      ),
    }),
    order: (signed) => ({ ...signed, tips: [...signed.tips].reverse() }),
    key: (signed) => ({ ...signed, key: Buffer.alloc(32, 8) }),
  }

  it('change with the time, any tip, the order of the tips, or the key', () => {
    fc.assert(
      fc.property(createdAt, tips, fc.constantFrom(...Object.keys(edits)), (at, pair, edit) => {
        const original: Signed = { key: KEY, at, tips: pair }
        const changed = (edits[edit] as (signed: Signed) => Signed)(original)
        expect(checkpointSignature(changed.key, changed.at, changed.tips)).not.toBe(
          checkpointSignature(original.key, original.at, original.tips),
        )
      }),
    )
  })
})
