import type { FastifyRequest } from 'fastify'
import type { UserRow } from '../db/schema.ts'
import { AppError } from '../lib/errors.ts'
import type { ClientScope } from '../modules/clients/scope.ts'

/** The authenticated client and routed region of a /v1 request (set by client-auth.ts). */
export const clientScope = (request: FastifyRequest): ClientScope => {
  if (!request.client || !request.regionDb)
    throw new AppError('INTERNAL_ERROR', { internal: 'client auth did not run' })
  return { client: request.client, region: request.region, database: request.regionDb }
}

/** The user of a `userAuth` route (set by user-auth.ts). */
export const authenticatedUser = (request: FastifyRequest): { user: UserRow; accessTokenId: string } => {
  if (!request.user || !request.accessTokenId)
    throw new AppError('INTERNAL_ERROR', { internal: 'user auth did not run' })
  return { user: request.user, accessTokenId: request.accessTokenId }
}
