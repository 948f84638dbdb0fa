import { randomInt } from 'node:crypto'
import type { CardRow, CardStatus, CardTable, UserRow } from '../../db/schema.ts'
import type { Clock } from '../../lib/clock.ts'
import { AppError } from '../../lib/errors.ts'
import type { ClientScope } from '../clients/index.ts'
import { hasCardConsent } from '../consent/index.ts'
import { lockUser } from '../users/index.ts'
import type { CardProcessor } from './processor.ts'
import * as repo from './repo.ts'

export type CardDeps = { clock: Clock; cardProcessor: CardProcessor }

/** 18 digits, like the contract's example id; random, so that ids say nothing about how many cards exist. */
const newCardId = (): string =>
  `${String(randomInt(1_000_000_000)).padStart(9, '0')}${String(randomInt(1_000_000_000)).padStart(9, '0')}`

const holderNameOf = (user: UserRow): string =>
  [user.first_name, user.last_name]
    .filter((part): part is string => Boolean(part))
    .join(' ')
    .toUpperCase()

/**
 * Orders the user's virtual card (POST /v1/card/order). Under the user's lock, so that two orders at
 * once issue one card: the user must be VERIFIED, their consent complete for the region's policy
 * (consent module) and no card of theirs may exist, whatever its status.
 */
export const orderVirtualCard = async (
  deps: CardDeps,
  scope: ClientScope,
  userId: string,
): Promise<CardRow> => {
  const { database } = scope
  return database.db.transaction().execute(async (trx) => {
    const user = await lockUser(database, trx, userId)
    if (!user) throw new AppError('NOT_AUTHENTICATED', { internal: 'user vanished during the order' })
    if (user.verification_state !== 'VERIFIED')
      throw new AppError('CARD_USER_NOT_VERIFIED', { body: { verificationState: user.verification_state } })
    if (!(await hasCardConsent(scope, user.id, trx))) throw new AppError('CARD_CONSENT_REQUIRED')
    if (await repo.findCardOfUser(trx, scope.client.id, user.id)) throw new AppError('CARD_ALREADY_ISSUED')
    const now = deps.clock.now()
    const id = newCardId()
    const holderName = holderNameOf(user)
    const issued = await deps.cardProcessor.issueVirtualCard({ cardId: id, holderName, at: now })
    const card: CardTable = {
      id,
      client_id: scope.client.id,
      user_id: user.id,
      type: 'VIRTUAL',
      status: 'ACTIVE',
      frozen_by: null,
      holder_frozen: 0,
      holder_name: holderName,
      pan_last4: issued.panLast4,
      expiry: issued.expiry,
      processor: deps.cardProcessor.name,
      processor_ref: issued.processorRef,
      ordered_at: now,
      updated_at: now,
    }
    await repo.insertCard(trx, card)
    return card
  })
}

export const cardOfUser = async (scope: ClientScope, userId: string): Promise<CardRow> => {
  const card = await repo.findCardOfUser(scope.database.db, scope.client.id, userId)
  if (!card) throw new AppError('CARD_NOT_FOUND')
  return card
}

/** The holder may freeze an active card and lift their own freeze; nothing else. */
export const isFreezable = (card: Pick<CardRow, 'status' | 'frozen_by'>): boolean =>
  card.status === 'ACTIVE' || (card.status === 'FROZEN' && card.frozen_by === 'holder')

/**
 * The holder's freeze and unfreeze (POST /v1/card/freeze, /unfreeze). Asking for the state the card is
 * already in succeeds without a change; a blocked card, or one frozen because its holder is no longer
 * verified, is CARD_NOT_FREEZABLE.
 */
export const setHolderFreeze = async (
  deps: CardDeps,
  scope: ClientScope,
  userId: string,
  frozen: boolean,
): Promise<void> => {
  const { database } = scope
  await database.db.transaction().execute(async (trx) => {
    const card = await repo.lockCardOfUser(database, trx, userId)
    if (!card || card.client_id !== scope.client.id) throw new AppError('CARD_NOT_FOUND')
    if (!isFreezable(card))
      throw new AppError('CARD_NOT_FREEZABLE', {
        body: { status: card.status },
        internal: `frozen by ${card.frozen_by}`,
      })
    const wanted: CardStatus = frozen ? 'FROZEN' : 'ACTIVE'
    if (card.status === wanted) return
    await deps.cardProcessor.setStatus(card.processor_ref, wanted)
    await repo.updateCardStatus(trx, card.id, {
      status: wanted,
      frozen_by: frozen ? 'holder' : null,
      updated_at: deps.clock.now(),
    })
  })
}
