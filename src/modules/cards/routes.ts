import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { CARD_STATUSES, CARD_TYPES, type CardRow } from '../../db/schema.ts'
import {
  errorResponse,
  RegionHeaders,
  RegionQuery,
  ref,
  StringEnum,
  SuccessBody,
  userErrorResponses,
} from '../../http/schemas.ts'
import { authenticatedUser, clientScope } from '../../http/scope.ts'
import { isoTime } from '../../lib/clock.ts'
import type { CardDeps } from './service.ts'
import * as service from './service.ts'

export const CardStatusSchema = Type.Object(
  {
    id: Type.String({ description: '18 digits.' }),
    holderName: Type.String(),
    expiryDate: Type.String({ pattern: '^[0-9]{4}/[0-9]{2}$', description: 'YYYY/MM' }),
    panLast4: Type.String({ pattern: '^[0-9]{4}$' }),
    status: StringEnum(CARD_STATUSES, {
      description: 'FROZEN: by the holder, or while the holder is not verified; BLOCKED: for good.',
    }),
    type: StringEnum(CARD_TYPES),
    orderedAt: Type.String({ format: 'date-time' }),
    isFreezable: Type.Boolean({ description: 'Whether the holder may freeze (or unfreeze) it now.' }),
  },
  { $id: 'CardStatus' },
)

const OrderBody = Type.Object({
  type: StringEnum(['VIRTUAL'], { description: 'VIRTUAL only: physical and metal cards are not issued.' }),
})

const present = (card: CardRow) => ({
  id: card.id,
  holderName: card.holder_name,
  expiryDate: card.expiry,
  panLast4: card.pan_last4,
  status: card.status,
  type: card.type,
  orderedAt: isoTime(card.ordered_at),
  isFreezable: service.isFreezable(card),
})

const noCard = errorResponse('The user has no card.')
const notFreezable = errorResponse('The card is blocked, or frozen because its holder is not verified.')

/** The user's card (Baanx /v1/card): order, status, freeze and unfreeze, with the user's bearer token. */
export const cardRoutes = (deps: CardDeps) => async (fastify: FastifyInstance) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const base = {
    tags: ['card'],
    security: [{ clientKey: [], bearer: [] }],
    headers: RegionHeaders,
    querystring: RegionQuery,
  }
  const config = { userAuth: true }

  app.post(
    '/v1/card/order',
    {
      config,
      schema: {
        ...base,
        operationId: 'orderCard',
        summary: 'Order the user’s virtual card (VERIFIED, consent complete, no card yet)',
        body: OrderBody,
        response: {
          200: ref(SuccessBody),
          400: errorResponse(
            'Not VERIFIED (CARD_USER_NOT_VERIFIED), consent incomplete (CARD_CONSENT_REQUIRED), the user already has a card (CARD_ALREADY_ISSUED), or malformed JSON.',
          ),
          ...userErrorResponses,
        },
      },
    },
    async (request) => {
      await service.orderVirtualCard(deps, clientScope(request), authenticatedUser(request).user.id)
      return { success: true as const }
    },
  )

  app.get(
    '/v1/card/status',
    {
      config,
      schema: {
        ...base,
        operationId: 'getCardStatus',
        summary: 'The user’s card',
        response: { 200: ref(CardStatusSchema), 404: noCard, ...userErrorResponses },
      },
    },
    async (request) =>
      present(await service.cardOfUser(clientScope(request), authenticatedUser(request).user.id)),
  )

  for (const [path, frozen, operationId, summary] of [
    ['/v1/card/freeze', true, 'freezeCard', 'Freeze the user’s card (the holder may unfreeze it)'],
    ['/v1/card/unfreeze', false, 'unfreezeCard', 'Lift the holder’s freeze of the card'],
  ] as const) {
    app.post(
      path,
      {
        config,
        schema: {
          ...base,
          operationId,
          summary,
          // No body schema: real clients send no body at all, none with Content-Type: application/json
          // (json-body.ts reads it as {}) or {}; whatever comes is ignored.
          response: {
            200: ref(SuccessBody),
            400: notFreezable,
            404: noCard,
            ...userErrorResponses,
          },
        },
      },
      async (request) => {
        await service.setHolderFreeze(deps, clientScope(request), authenticatedUser(request).user.id, frozen)
        return { success: true as const }
      },
    )
  }
}
