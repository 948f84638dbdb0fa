import type { FastifyRequest } from 'fastify'
import type { Region, RegionDatabase } from '../db/database.ts'
import type { UserRow } from '../db/schema.ts'
import { AppError } from '../lib/errors.ts'

/** The clients module's ClientScope, spelled out: the clients face re-exports routes that import this file. */
type RequestClientScope = {
  client: NonNullable<FastifyRequest['client']>
  region: Region
  database: RegionDatabase
}

/** The authenticated client and routed region of a /v1 request (set by client-auth.ts). */
export const clientScope = (request: FastifyRequest): RequestClientScope => {
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
