import type { CardRow } from '../../db/schema.ts'
import type { StateChanged, VerificationSubscriber } from '../verification/index.ts'
import * as repo from './repo.ts'
import type { CardDeps } from './service.ts'

type CardState = Pick<CardRow, 'status' | 'frozen_by' | 'holder_frozen'>

/**
 * What a verificationState change does to the user's card (decision 183). Leaving VERIFIED (today only
 * a re-verification that ends REJECTED) freezes it on verification's behalf: the holder cannot lift that
 * freeze, and a freeze of their own is kept beneath it (`holder_frozen`). Coming back to VERIFIED (a
 * later submission, after the rejection's cooldown) lifts it, back to the holder's freeze if there was
 * one. A freeze rather than a block: REJECTED is not final in Verity, while BLOCKED is, and nothing
 * would ever give the user a card again.
 */
const nextState = (change: StateChanged, card: CardState): CardState | undefined => {
  if (card.status !== 'ACTIVE' && card.status !== 'FROZEN') return undefined
  if (change.from === 'VERIFIED' && change.to !== 'VERIFIED' && card.frozen_by !== 'verification')
    return { status: 'FROZEN', frozen_by: 'verification', holder_frozen: card.frozen_by === 'holder' ? 1 : 0 }
  if (change.to === 'VERIFIED' && card.frozen_by === 'verification')
    return card.holder_frozen === 1
      ? { status: 'FROZEN', frozen_by: 'holder', holder_frozen: 0 }
      : { status: 'ACTIVE', frozen_by: null, holder_frozen: 0 }
  return undefined
}

/** The cards' subscriber to verification changes, run in the change's transaction (src/runtime.ts). */
export const cardsFollowVerification =
  (deps: Pick<CardDeps, 'cardProcessor'>): VerificationSubscriber =>
  async (trx, change) => {
    if (change.kind !== 'state-changed') return
    const card = await repo.lockCardOfUser(change.database, trx, change.user.id)
    if (!card) return
    const next = nextState(change, card)
    if (!next) return
    if (next.status !== card.status) await deps.cardProcessor.setStatus(card.processor_ref, next.status)
    await repo.updateCardStatus(trx, card.id, { ...next, updated_at: change.at })
  }
