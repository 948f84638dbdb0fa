import type { Databases, Queryable, Region, RegionDatabase } from '../../db/database.ts'
import { lockNames } from '../../db/row-locks.ts'
import { type Clock, DAY_MS } from '../../lib/clock.ts'
import { newId } from '../../lib/ids.ts'
import { hashSecret } from '../../lib/tokens.ts'
import {
  ACCESS_TOKEN_TTL_MS,
  issueAccessToken,
  revokeClientAccessToken,
  revokeOAuthFamilyTokens,
} from '../auth/index.ts'
import { findUserById } from '../users/index.ts'
import { newCredential } from './credentials.ts'
import { invalidGrant } from './errors.ts'
import * as repo from './repo.ts'
import { OFFLINE_ACCESS } from './scopes.ts'

/** 184 days, as the Baanx contract's `refresh_token_expires_in: 15897600`. */
export const REFRESH_TOKEN_TTL_MS = 184 * DAY_MS

export type TokenDeps = { databases: Databases; clock: Clock }

/** The token endpoint's answer (RFC 6749 §5.1, plus Baanx's refresh_token_expires_in). */
export type TokenSet = {
  access_token: string
  token_type: 'Bearer'
  expires_in: number
  refresh_token?: string
  refresh_token_expires_in?: number
  scope: string
}

type Holder = { userId: string; clientId: string; region: Region; scope: string; familyId: string }

/** An access token of the family, and a new refresh token in it when the grant allows staying signed in. */
export const issueTokenSet = async (db: Queryable, clock: Clock, holder: Holder): Promise<TokenSet> => {
  const { token } = await issueAccessToken(db, clock, {
    userId: holder.userId,
    clientId: holder.clientId,
    region: holder.region,
    oauthFamilyId: holder.familyId,
  })
  const set: TokenSet = {
    access_token: token,
    token_type: 'Bearer',
    expires_in: ACCESS_TOKEN_TTL_MS / 1000,
    scope: holder.scope,
  }
  if (!holder.scope.split(' ').includes(OFFLINE_ACCESS)) return set
  const refreshToken = newCredential(holder.region, 'rt')
  const now = clock.now()
  await repo.insertRefreshToken(db, {
    id: hashSecret(refreshToken),
    family_id: holder.familyId,
    client_id: holder.clientId,
    user_id: holder.userId,
    scope: holder.scope,
    created_at: now,
    expires_at: now + REFRESH_TOKEN_TTL_MS,
    used_at: null,
    revoked_at: null,
  })
  return { ...set, refresh_token: refreshToken, refresh_token_expires_in: REFRESH_TOKEN_TTL_MS / 1000 }
}

const familyLock = (familyId: string) => `oauth-family:${familyId}`

/**
 * What the user granted a client: its codes are issued, exchanged and revoked under this lock, so
 * `DELETE /v1/auth/oauth/revoke` cannot miss a code or a family being made. Taken before any family's.
 */
export const lockGrant = (database: RegionDatabase, trx: Queryable, userId: string, clientId: string) =>
  lockNames(database, trx, [`oauth-grant:${userId}:${clientId}`])

/**
 * Every refresh and access token of the family stops working. Rotation holds the family's lock until it
 * commits the token it issues: a revocation that waited for it sees that token too (PostgreSQL's UPDATE
 * would otherwise skip a row inserted after its snapshot), and a rotation that waited finds its token
 * revoked.
 */
export const revokeFamily = async (
  database: RegionDatabase,
  trx: Queryable,
  clock: Clock,
  familyId: string,
): Promise<void> => {
  await lockNames(database, trx, [familyLock(familyId)])
  await repo.revokeFamilyRefreshTokens(trx, familyId, clock.now())
  await revokeOAuthFamilyTokens(trx, clock, [familyId])
}

export const newFamilyId = (): string => newId('oauthFamily')

/** A suspended user's codes and refresh tokens give nothing (their access tokens are refused anyway). */
export const requireActiveUser = async (db: Queryable, userId: string): Promise<void> => {
  const user = await findUserById(db, userId)
  if (user?.status !== 'active') throw invalidGrant('user gone or suspended')
}

/**
 * The refresh grant: the token is used up and a new one comes back in the same family (rotation). A
 * token presented again after its rotation was stolen or replayed: the whole family is revoked, so
 * whoever holds its newest token is signed out too (RFC 9700 §4.14.2).
 */
export const rotateRefreshToken = async (
  deps: TokenDeps,
  region: Region,
  clientId: string,
  refreshToken: string,
): Promise<TokenSet> => {
  const { clock } = deps
  const database = deps.databases.byRegion[region]
  const { db } = database
  const id = hashSecret(refreshToken)
  const row = await repo.findRefreshToken(db, id)
  if (!row) throw invalidGrant('unknown refresh token')
  if (row.client_id !== clientId) throw invalidGrant('refresh token of another client')
  if (row.revoked_at !== null) throw invalidGrant('refresh token revoked')
  if (row.expires_at <= clock.now()) throw invalidGrant('refresh token expired')
  await requireActiveUser(db, row.user_id)
  const outcome = await db.transaction().execute(async (trx) => {
    await lockNames(database, trx, [familyLock(row.family_id)])
    if (await repo.useRefreshToken(trx, id, clock.now()))
      return issueTokenSet(trx, clock, {
        userId: row.user_id,
        clientId,
        region,
        scope: row.scope,
        familyId: row.family_id,
      })
    await revokeFamily(database, trx, clock, row.family_id)
    return 'reused' as const
  })
  if (outcome === 'reused') throw invalidGrant('refresh token reused: family revoked')
  return outcome
}

/**
 * Everything this client holds for the user (Baanx DELETE /revoke): tokens, families, the grant, and
 * the codes not yet exchanged, which are used up so that presenting one is refused like any replay.
 */
export const revokeClientGrant = async (
  deps: TokenDeps,
  region: Region,
  userId: string,
  clientId: string,
): Promise<void> => {
  const database = deps.databases.byRegion[region]
  await database.db.transaction().execute(async (trx) => {
    await lockGrant(database, trx, userId, clientId)
    const families = [
      ...new Set([
        ...(await repo.familiesOf(trx, userId, clientId)),
        ...(await repo.codeFamiliesOf(trx, userId, clientId)),
      ]),
    ]
    await lockNames(database, trx, families.map(familyLock))
    const now = deps.clock.now()
    for (const familyId of families) await repo.revokeFamilyRefreshTokens(trx, familyId, now)
    await revokeOAuthFamilyTokens(trx, deps.clock, families)
    await repo.useUpCodes(trx, userId, clientId, now)
    await repo.deleteGrant(trx, userId, clientId)
  })
}

/**
 * RFC 7009 revocation of one presented token: a refresh token takes its family (and the family's access
 * tokens) with it; an access token goes alone. Tokens of other clients are left alone, silently.
 */
export const revokePresentedToken = async (
  deps: TokenDeps,
  region: Region,
  clientId: string,
  token: string,
): Promise<void> => {
  const database = deps.databases.byRegion[region]
  const refresh = await repo.findRefreshToken(database.db, hashSecret(token))
  if (refresh) {
    if (refresh.client_id === clientId)
      await database.db
        .transaction()
        .execute((trx) => revokeFamily(database, trx, deps.clock, refresh.family_id))
    return
  }
  await revokeClientAccessToken(database.db, deps.clock, clientId, token)
}
