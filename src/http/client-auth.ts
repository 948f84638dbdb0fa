import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Databases } from '../db/database.ts'
import { AppError } from '../lib/errors.ts'
import {
  type ClientDeps,
  checkSecretKey,
  clientServesRegion,
  findActiveClientByKey,
} from '../modules/clients/index.ts'
import { resolveRegion } from './region.ts'
import { bindToRequestLog } from './request-logger.ts'
import { authenticateUser } from './user-auth.ts'

/** A header's first value, trimmed; absent when empty. */
export const singleHeader = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name]
  const first = Array.isArray(value) ? value[0] : value
  const trimmed = first?.trim()
  return trimmed ? trimmed : undefined
}

/** Longer than any key or secret issued: refused before a lookup. */
export const MAX_KEY_LENGTH = 200

/**
 * Authenticates the client on every route of the scope it is registered in (all of /v1 and /v2), in this order:
 * 1. x-client-key missing → 499; unknown or disabled → 498 (the two are not told apart).
 * 2. the region asked for (x-us-env / ?region=) must be valid (422) and enabled for the client (403).
 * 3. routes marked `client+secret` also need the client's x-secret-key (401 otherwise).
 * 4. routes marked `userAuth` also need a user's bearer token (see user-auth.ts).
 * 5. routes marked `client+secret-or-public-key` need x-secret-key too, which for a public client may
 *    be its client key (MetaMask sends it so).
 * 6. routes marked `client+secret-or-user` need x-secret-key, or (when it is absent) a user's bearer
 *    token instead.
 * Routes marked `oauth` skip all of this: they identify the client themselves (src/modules/oauth).
 */
export const registerClientAuth = (
  app: FastifyInstance,
  deps: ClientDeps & { databases: Databases },
): void => {
  app.decorateRequest('client', null)
  app.decorateRequest('region', 'intl')
  app.decorateRequest('regionDb', null)
  app.decorateRequest('user', null)
  app.decorateRequest('accessTokenId', null)

  app.addHook('onRequest', async (request) => {
    const mode = request.routeOptions.config.clientAuth ?? 'client'
    if (mode === 'oauth') return

    const clientKey = singleHeader(request, 'x-client-key')
    if (clientKey === undefined) throw new AppError('MISSING_CLIENT_KEY')
    const client =
      clientKey.length <= MAX_KEY_LENGTH ? await findActiveClientByKey(deps, clientKey) : undefined
    if (!client) throw new AppError('INVALID_CLIENT_KEY', { internal: 'unknown or disabled client key' })
    request.client = client
    bindToRequestLog(request.log, { clientId: client.id })

    const regionParam = (request.query as Record<string, unknown> | undefined)?.region
    const region = resolveRegion({
      usEnvHeader: singleHeader(request, 'x-us-env'),
      regionParam: regionParam === undefined ? undefined : String(regionParam),
    })
    if (!clientServesRegion(client, region)) {
      throw new AppError('REGION_NOT_ENABLED', { internal: `client not enabled for region ${region}` })
    }
    request.region = region
    request.regionDb = deps.databases.byRegion[region]

    const userInsteadOfSecret =
      mode === 'client+secret-or-user' &&
      singleHeader(request, 'x-secret-key') === undefined &&
      request.headers.authorization !== undefined
    const secretRequired =
      mode === 'client+secret' ||
      mode === 'client+secret-or-public-key' ||
      (mode === 'client+secret-or-user' && !userInsteadOfSecret)
    if (secretRequired) {
      const secretKey = singleHeader(request, 'x-secret-key')
      // A public client (an app) has no secret it can keep; where allowed, its key stands in for it.
      const publicKeyAsSecret =
        mode === 'client+secret-or-public-key' && client.publicOAuth && secretKey === client.clientKey
      if (
        !publicKeyAsSecret &&
        (secretKey === undefined ||
          secretKey.length > MAX_KEY_LENGTH ||
          !(await checkSecretKey(deps, client, secretKey)))
      ) {
        throw new AppError('INVALID_SECRET_KEY', { internal: 'missing or wrong x-secret-key' })
      }
    }

    if (request.routeOptions.config.userAuth || userInsteadOfSecret)
      await authenticateUser(request, deps.clock)
  })
}
