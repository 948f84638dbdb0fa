import type { FastifyRequest } from 'fastify'
import type { Clock } from '../lib/clock.ts'
import { AppError } from '../lib/errors.ts'
import { findLiveToken, tokenRegion } from '../modules/auth/access-tokens.ts'
import { findUserById } from '../modules/users/repo.ts'

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
  const live = await findLiveToken(regionDb.db, clock, token)
  if (!live) throw new AppError('NOT_AUTHENTICATED', { internal: 'unknown, expired or revoked token' })
  if (live.client_id !== client.id)
    throw new AppError('NOT_AUTHORIZED', { internal: 'token of another client' })
  const user = await findUserById(regionDb.db, live.user_id)
  if (!user) throw new AppError('NOT_AUTHENTICATED', { internal: 'token of a deleted user' })
  if (user.status !== 'active') throw new AppError('NOT_AUTHORIZED', { internal: 'user suspended' })
  request.user = user
  request.accessTokenId = live.id
  request.log = request.log.child({ userId: user.id })
}
