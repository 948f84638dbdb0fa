import type { Queryable, Region } from '../../db/database.ts'
import type { Clock } from '../../lib/clock.ts'
import { generateSecret, hashSecret } from '../../lib/tokens.ts'

/** 6 hours, as the Baanx contract's `expires_in: 21600`. */
export const ACCESS_TOKEN_TTL_MS = 6 * 60 * 60 * 1000

// Tokens carry their region in clear (the Baanx examples prefix them US_) so that a token presented to
// the other region is refused before any lookup.
const PREFIX: Record<Region, string> = { us: 'US_', intl: 'INTL_' }

export const tokenRegion = (token: string): Region | undefined =>
  token.startsWith(PREFIX.us) ? 'us' : token.startsWith(PREFIX.intl) ? 'intl' : undefined

export const issueAccessToken = async (
  db: Queryable,
  clock: Clock,
  grant: { userId: string; clientId: string; region: Region },
): Promise<{ token: string; expiresAt: number }> => {
  const token = generateSecret(PREFIX[grant.region])
  const now = clock.now()
  const expiresAt = now + ACCESS_TOKEN_TTL_MS
  await db
    .insertInto('access_token')
    .values({
      id: hashSecret(token),
      user_id: grant.userId,
      client_id: grant.clientId,
      created_at: now,
      expires_at: expiresAt,
      revoked_at: null,
    })
    .execute()
  return { token, expiresAt }
}

/**
 * The user behind a live token (unknown, expired and revoked tokens give undefined), with the token's
 * id and client, in one query: this runs on every authenticated request.
 */
export const findTokenUser = (db: Queryable, clock: Clock, token: string) =>
  db
    .selectFrom('access_token')
    .innerJoin('app_user', 'app_user.id', 'access_token.user_id')
    .selectAll('app_user')
    .select(['access_token.id as token_id', 'access_token.client_id as token_client_id'])
    .where('access_token.id', '=', hashSecret(token))
    .where('access_token.revoked_at', 'is', null)
    .where('access_token.expires_at', '>', clock.now())
    .executeTakeFirst()

export const revokeToken = async (db: Queryable, clock: Clock, tokenId: string): Promise<void> => {
  await db
    .updateTable('access_token')
    .set({ revoked_at: clock.now() })
    .where('id', '=', tokenId)
    .where('revoked_at', 'is', null)
    .execute()
}
