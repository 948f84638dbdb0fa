import type { Queryable, Region } from '../../db/database.ts'
import { type Clock, HOUR_MS } from '../../lib/clock.ts'
import { generateSecret, hashSecret } from '../../lib/tokens.ts'
import {
  findAccessTokenOwner,
  findLiveTokenUser,
  insertAccessToken,
  revokeAccessToken,
  revokeFamilyAccessTokens,
} from './repo.ts'

/** 6 hours, as the Baanx contract's `expires_in: 21600`. */
export const ACCESS_TOKEN_TTL_MS = 6 * HOUR_MS

// Tokens carry their region in clear (the Baanx examples prefix them US_) so that a token presented to
// the other region is refused before any lookup.
const PREFIX: Record<Region, string> = { us: 'US_', intl: 'INTL_' }

export const tokenRegion = (token: string): Region | undefined =>
  token.startsWith(PREFIX.us) ? 'us' : token.startsWith(PREFIX.intl) ? 'intl' : undefined

export const issueAccessToken = async (
  db: Queryable,
  clock: Clock,
  grant: { userId: string; clientId: string; region: Region; oauthFamilyId?: string },
): Promise<{ token: string; expiresAt: number }> => {
  const token = generateSecret(PREFIX[grant.region])
  const now = clock.now()
  const expiresAt = now + ACCESS_TOKEN_TTL_MS
  await insertAccessToken(db, {
    id: hashSecret(token),
    user_id: grant.userId,
    client_id: grant.clientId,
    created_at: now,
    expires_at: expiresAt,
    revoked_at: null,
    oauth_family_id: grant.oauthFamilyId ?? null,
  })
  return { token, expiresAt }
}

/** The user behind a live token: unknown, expired and revoked tokens give undefined. */
export const findTokenUser = (db: Queryable, clock: Clock, token: string) =>
  findLiveTokenUser(db, hashSecret(token), clock.now())

export const revokeToken = (db: Queryable, clock: Clock, tokenId: string): Promise<void> =>
  revokeAccessToken(db, tokenId, clock.now())

/** OAuth: the access tokens of these refresh-token families stop working at once. */
export const revokeOAuthFamilyTokens = (
  db: Queryable,
  clock: Clock,
  familyIds: readonly string[],
): Promise<void> => revokeFamilyAccessTokens(db, familyIds, clock.now())

/**
 * Revokes an access token presented by value on behalf of a client (RFC 7009): only the client's own
 * tokens; anything else is ignored, as the RFC asks (the caller learns nothing either way).
 */
export const revokeClientAccessToken = async (
  db: Queryable,
  clock: Clock,
  clientId: string,
  token: string,
): Promise<void> => {
  const owner = await findAccessTokenOwner(db, hashSecret(token))
  if (owner?.client_id === clientId) await revokeAccessToken(db, owner.id, clock.now())
}
