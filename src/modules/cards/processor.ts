import { randomInt } from 'node:crypto'
import type { CardStatus } from '../../db/schema.ts'

/** What a processor gives back for a new card: a reference and what may be shown, never the PAN. */
export type IssuedCard = { processorRef: string; panLast4: string; expiry: string }

/**
 * The port to a card processor (the card network's side: issuing, and holding a card's status). Verity
 * keeps only what the API shows of a card; a real processor would sit behind this interface.
 */
export type CardProcessor = {
  /** Recorded on each card, so that cards issued by another processor can be told apart later. */
  readonly name: string
  /** `cardId` doubles as the idempotency key: asking twice for one id must not issue two cards. */
  issueVirtualCard(order: { cardId: string; holderName: string; at: number }): Promise<IssuedCard>
  setStatus(processorRef: string, status: CardStatus): Promise<void>
}

const CARD_LIFETIME_YEARS = 3

/** YYYY/MM of the month `years` after `at` (UTC), the contract's expiryDate format. */
export const expiryAfter = (at: number, years: number): string => {
  const date = new Date(at)
  return `${date.getUTCFullYear() + years}/${String(date.getUTCMonth() + 1).padStart(2, '0')}`
}

/**
 * The built-in processor: no card network. A virtual card is active at once with random last four
 * digits and an expiry three years ahead; no PAN exists anywhere, so none can leak. Status changes are
 * accepted as they are asked for.
 */
export const simulatedCardProcessor = (drawBelow: (below: number) => number = randomInt): CardProcessor => ({
  name: 'simulated',
  issueVirtualCard: async ({ cardId, at }) => ({
    processorRef: `sim_${cardId}`,
    panLast4: String(drawBelow(10_000)).padStart(4, '0'),
    expiry: expiryAfter(at, CARD_LIFETIME_YEARS),
  }),
  setStatus: async () => {},
})
