import type { Region } from '../../db/database.ts'
import { hashSecret } from '../../lib/tokens.ts'
import type { AuthorizationRequest } from './authorization-request.ts'
import { newCredential } from './credentials.ts'
import { invalidGrant } from './errors.ts'
import { verifierMatches } from './pkce.ts'
import * as repo from './repo.ts'
import {
  issueTokenSet,
  lockGrant,
  newFamilyId,
  requireActiveUser,
  revokeFamily,
  type TokenDeps,
  type TokenSet,
} from './tokens.ts'

/** Long enough for an app to receive its redirect and post the code, short enough to be worth little. */
export const CODE_TTL_MS = 2 * 60 * 1000

/**
 * The user (signed in, in the request's region) grants the request: a single-use code bound to the
 * client, the redirect URI, the PKCE challenge, the user and the region. The grant is recorded at once,
 * so login's isLinked is true from now on. Under the grant's lock, so a revocation of the grant running
 * at the same time either comes after the code or uses it up.
 */
export const issueCode = async (
  deps: TokenDeps,
  request: AuthorizationRequest,
  userId: string,
): Promise<string> => {
  const code = newCredential(request.region, 'ac')
  const now = deps.clock.now()
  const scope = request.scopes.join(' ')
  const database = deps.databases.byRegion[request.region]
  await database.db.transaction().execute(async (trx) => {
    await lockGrant(database, trx, userId, request.clientId)
    await repo.insertCode(trx, {
      id: hashSecret(code),
      client_id: request.clientId,
      user_id: userId,
      redirect_uri: request.redirectUri,
      code_challenge: request.codeChallenge,
      scope,
      created_at: now,
      expires_at: now + CODE_TTL_MS,
      used_at: null,
      family_id: null,
    })
    await repo.upsertGrant(trx, { userId, clientId: request.clientId, scope, now })
  })
  return code
}

export type CodeExchange = {
  code: string
  codeVerifier: string
  /** Checked when given; Ledger's JSON request leaves it out (PKCE binds the code to the app then). */
  redirectUri: string | undefined
}

/**
 * The authorization_code grant. Every check comes before the code is used up, so a caller that gets one
 * wrong (a stranger with a stolen code and no verifier) cannot burn the owner's code. A code presented
 * after its exchange revokes the tokens that exchange issued (RFC 6749 §4.1.2).
 */
export const redeemCode = async (
  deps: TokenDeps,
  region: Region,
  clientId: string,
  exchange: CodeExchange,
): Promise<TokenSet> => {
  const { clock } = deps
  const database = deps.databases.byRegion[region]
  const { db } = database
  const id = hashSecret(exchange.code)
  const row = await repo.findCode(db, id)
  if (!row) throw invalidGrant('unknown code')
  if (row.client_id !== clientId) throw invalidGrant('code of another client')
  if (row.used_at !== null) {
    const familyId = row.family_id
    if (familyId !== null)
      await db.transaction().execute((trx) => revokeFamily(database, trx, clock, familyId))
    throw invalidGrant('code reused: its tokens revoked')
  }
  if (row.expires_at <= clock.now()) throw invalidGrant('code expired')
  if (exchange.redirectUri !== undefined && exchange.redirectUri !== row.redirect_uri)
    throw invalidGrant('redirect_uri differs from the authorization request')
  if (!verifierMatches(exchange.codeVerifier, row.code_challenge))
    throw invalidGrant('code_verifier does not match the code_challenge')
  await requireActiveUser(db, row.user_id)
  const familyId = newFamilyId()
  const issued = await db.transaction().execute(async (trx) => {
    await lockGrant(database, trx, row.user_id, clientId)
    if (await repo.useCode(trx, id, familyId, clock.now()))
      return issueTokenSet(trx, clock, {
        userId: row.user_id,
        clientId,
        region,
        scope: row.scope,
        familyId,
      })
    // Used up since it was read: by a concurrent exchange, whose tokens go as for any second
    // presentation, or by a revocation of the grant, which left no family.
    const winner = (await repo.findCode(trx, id))?.family_id
    if (winner) await revokeFamily(database, trx, clock, winner)
    return undefined
  })
  if (!issued) throw invalidGrant('code used concurrently or its grant revoked')
  return issued
}
