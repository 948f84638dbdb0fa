import type { FastifyRequest } from 'fastify'
import type { Clock } from '../lib/clock.ts'
import { AppError } from '../lib/errors.ts'
import { findTokenUser, tokenRegion } from '../modules/auth/index.ts'
import { bindToRequestLog } from './request-logger.ts'

const BEARER = /^Bearer\s+(\S{1,512})$/i

/**
 * Authenticates the user of a `userAuth` route (after the client): 401 when the token is missing,
 * unknown, expired, revoked or issued in the other region; 403 when it belongs to another client or
 * its user is suspended. A token is looked up only in the region the request is routed to.
 */
export const authenticateUser = async (request: FastifyRequest, clock: Clock): Promise<void> => {
  const { client, regionDb } = request
  if (!client || !regionDb) throw new AppError('INTERNAL_ERROR', { internal: 'client auth must run first' })
  const header = request.headers.authorization
  const token = typeof header === 'string' ? BEARER.exec(header.trim())?.[1] : undefined
  if (!token)
    throw new AppError('NOT_AUTHENTICATED', { internal: 'missing or malformed Authorization header' })
  if (tokenRegion(token) !== regionDb.region) {
    throw new AppError('NOT_AUTHENTICATED', { internal: 'token presented to another region' })
  }
  const found = await findTokenUser(regionDb.db, clock, token)
  if (!found) throw new AppError('NOT_AUTHENTICATED', { internal: 'unknown, expired or revoked token' })
  const { token_id: tokenId, token_client_id: tokenClientId, ...user } = found
  if (tokenClientId !== client.id)
    throw new AppError('NOT_AUTHORIZED', { internal: 'token of another client' })
  if (user.status !== 'active') throw new AppError('NOT_AUTHORIZED', { internal: 'user suspended' })
  request.user = user
  request.accessTokenId = tokenId
  bindToRequestLog(request.log, { userId: user.id })
}
