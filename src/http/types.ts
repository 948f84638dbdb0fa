import type { Region, RegionDatabase } from '../db/database.ts'
import type { UserRow } from '../db/schema.ts'
import type { Client } from '../modules/clients/index.ts'

/**
 * How a /v1 route authenticates its caller:
 * - `client`: x-client-key (and the region it asks for must be enabled for that client)
 * - `client+secret`: also x-secret-key; for server-to-server calls only (browsers are never allowed to
 *   send that header cross-origin, see cors.ts)
 * - `client+secret-or-public-key`: like `client+secret`, except that a public client (Client.publicOAuth)
 *   may send its client key as x-secret-key; for routes where that key gives no more than the
 *   identifiers the route also needs (the consent writes, decision 182)
 * - `client+secret-or-user`: x-secret-key when the call comes from the client's server, or else the
 *   bearer token of a user of this client (the user's own data only; the route checks whose it is)
 * - `oauth`: none here; the OAuth2 routes identify the client themselves (by `client_id` or
 *   x-client-key, and a browser opening the authorize page sends no header at all)
 */
export type ClientAuth =
  | 'client'
  | 'client+secret'
  | 'client+secret-or-public-key'
  | 'client+secret-or-user'
  | 'oauth'

declare module 'fastify' {
  interface FastifyContextConfig {
    clientAuth?: ClientAuth
    /** The route also needs `Authorization: Bearer <accessToken>` of a user of this client and region. */
    userAuth?: boolean
  }
  interface FastifyRequest {
    /** The authenticated client; set on every /v1 route. */
    client: Client | null
    /** The region the request is routed to (x-us-env / ?region=). */
    region: Region
    regionDb: RegionDatabase | null
    /** The user behind the bearer token, on `userAuth` routes. */
    user: UserRow | null
    accessTokenId: string | null
  }
}
