import type { FastifyRequest } from 'fastify'
import type { Region } from '../../db/database.ts'
import { MAX_KEY_LENGTH, singleHeader } from '../../http/client-auth.ts'
import { AppError } from '../../lib/errors.ts'
import {
  type Client,
  type ClientDeps,
  checkSecretKey,
  clientServesRegion,
  findActiveClientByKey,
} from '../clients/index.ts'

/** client_id:client_secret of HTTP Basic (RFC 6749 §2.3.1, each form-urlencoded), if sent. */
const basicCredentials = (request: FastifyRequest): { id: string; secret: string } | undefined => {
  const match = /^Basic\s+([A-Za-z0-9+/=]{1,1024})$/i.exec(singleHeader(request, 'authorization') ?? '')
  if (!match) return undefined
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 0) return undefined
  try {
    return {
      id: decodeURIComponent(decoded.slice(0, colon).replaceAll('+', ' ')),
      secret: decodeURIComponent(decoded.slice(colon + 1).replaceAll('+', ' ')),
    }
  } catch {
    return undefined
  }
}

const invalidClient = (internal: string) => new AppError('OAUTH_INVALID_CLIENT', { internal })

/** The client by its key (the Baanx clients send the client key as client_id); unknown and disabled alike. */
export const clientByKey = async (deps: ClientDeps, clientKey: string | undefined): Promise<Client> => {
  const client =
    clientKey && clientKey.length <= MAX_KEY_LENGTH ? await findActiveClientByKey(deps, clientKey) : undefined
  if (!client) throw invalidClient('unknown or disabled client_id')
  return client
}

/**
 * Who is calling a token or revoke endpoint: `client_id` (body or HTTP Basic) or `x-client-key` (Ledger
 * sends only that); when both come they must name the same client.
 */
export const identifyCaller = async (
  deps: ClientDeps,
  request: FastifyRequest,
  bodyClientId: string | undefined,
): Promise<Client> => {
  const ids = [bodyClientId, basicCredentials(request)?.id, singleHeader(request, 'x-client-key')].filter(
    (id): id is string => id !== undefined && id !== '',
  )
  if (ids.length === 0) throw invalidClient('no client_id nor x-client-key')
  if (new Set(ids).size > 1) throw invalidClient('client_id and x-client-key name different clients')
  return clientByKey(deps, ids[0])
}

/**
 * Client authentication at the token endpoint. A public client (an app, which cannot keep a secret)
 * proves possession of the code with PKCE alone, so whatever it sends as a secret is not checked
 * (MetaMask sends its client key as client_secret and x-secret-key). A confidential client must present
 * its secret key: as x-secret-key, client_secret or HTTP Basic.
 */
export const authenticateCaller = async (
  deps: ClientDeps,
  request: FastifyRequest,
  client: Client,
  bodySecret: string | undefined,
): Promise<void> => {
  if (client.publicOAuth) return
  const presented = [
    bodySecret,
    basicCredentials(request)?.secret,
    singleHeader(request, 'x-secret-key'),
  ].filter((secret): secret is string => secret !== undefined && secret !== '')
  if (presented.length === 0) throw invalidClient('confidential client without its secret')
  for (const secret of presented) {
    if (secret.length > MAX_KEY_LENGTH || !(await checkSecretKey(deps, client, secret)))
      throw invalidClient('wrong client secret')
  }
}

export const requireRegion = (client: Client, region: Region): void => {
  if (!clientServesRegion(client, region))
    throw new AppError('REGION_NOT_ENABLED', { internal: `client not enabled for region ${region}` })
}

/** Redirect URIs are matched exactly against the client's registered ones (custom schemes included). */
export const isRegisteredRedirect = (client: Client, redirectUri: string): boolean =>
  client.redirectUris.includes(redirectUri)
