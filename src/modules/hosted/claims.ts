import type { Databases, RegionDatabase } from '../../db/database.ts'
import type { SessionRow } from '../../db/schema.ts'
import type { Clock } from '../../lib/clock.ts'
import type { Keys } from '../../lib/keys.ts'
import type { Capture } from '../capture/index.ts'
import { findUserById } from '../users/index.ts'
import {
  findSession,
  lockSession,
  markSessionOpened,
  parseSessionLinkToken,
  type SessionRef,
} from '../verification/index.ts'
import { browserCookieValue, claimDigest, newBrowserSecret, parseBrowserCookie } from './browser-cookie.ts'
import { countClaims, hasClaim, insertClaim } from './repo.ts'

/** Browsers that may open one onboarding link. */
export const MAX_ONBOARDING_BROWSERS = 5

export type ClaimDeps = { clock: Clock; keys: Keys; databases: Databases }

export type GoneReason = 'expired' | 'used' | 'submitted'

export type LinkState =
  | { state: 'invalid' }
  | { state: 'gone'; reason: GoneReason }
  | { state: 'open'; session: SessionRow; database: RegionDatabase }

export type ClaimResult =
  | { state: 'invalid' }
  | { state: 'gone'; reason: GoneReason }
  | { state: 'claimed'; cookie: string; session: SessionRow }
  | { state: 'continue'; session: SessionRow }

const load = async (deps: ClaimDeps, ref: SessionRef | undefined) => {
  if (!ref) return undefined
  const database = deps.databases.byRegion[ref.region]
  const session = await findSession(database.db, ref.sessionId)
  return session ? { database, session } : undefined
}

const goneReason = (session: SessionRow, now: number): GoneReason | undefined => {
  if (session.status === 'submitted') return 'submitted'
  if (session.status === 'expired' || session.expires_at <= now) return 'expired'
  return undefined
}

/** What a link leads to, without changing anything (a link preview must not use up a single-use link). */
export const inspectLink = async (deps: ClaimDeps, token: string): Promise<LinkState> => {
  const found = await load(deps, parseSessionLinkToken(deps.keys.sessionUrls, token))
  if (!found) return { state: 'invalid' }
  const gone = goneReason(found.session, deps.clock.now())
  return gone
    ? { state: 'gone', reason: gone }
    : { state: 'open', session: found.session, database: found.database }
}

/**
 * Opens a link in a browser. A user session is single-use: the first browser claims it (a conditional
 * update, so exactly one of any number of concurrent browsers wins); that browser, recognized by its
 * cookie, may come back; everyone else gets "used". An onboarding session may be opened by any browser
 * holding the link until it is submitted, up to MAX_ONBOARDING_BROWSERS of them.
 */
export const claimLink = async (
  deps: ClaimDeps,
  token: string,
  cookie: string | undefined,
): Promise<ClaimResult> => {
  const ref = parseSessionLinkToken(deps.keys.sessionUrls, token)
  const found = await load(deps, ref)
  if (!ref || !found) return { state: 'invalid' }
  const { database, session } = found
  const now = deps.clock.now()
  const gone = goneReason(session, now)
  if (gone) return { state: 'gone', reason: gone }

  const presented = parseBrowserCookie(cookie)
  if (
    presented?.sessionId === session.id &&
    (await hasClaim(database.db, session.id, claimDigest(presented.secret)))
  ) {
    return { state: 'continue', session }
  }
  if (session.kind === 'user' && session.status !== 'issued') return { state: 'gone', reason: 'used' }

  const secret = newBrowserSecret()
  const claimed = await database.db.transaction().execute(async (trx) => {
    if (session.kind === 'onboarding') {
      // Several devices may finish an onboarding link (laptop, then phone), but not without end.
      await lockSession(database, trx, session.id)
      if ((await countClaims(trx, session.id)) >= MAX_ONBOARDING_BROWSERS) return undefined
    }
    const opened = await markSessionOpened(trx, session.id, now)
    if (!opened && session.kind === 'user') return undefined
    await insertClaim(trx, session.id, claimDigest(secret), now)
    return opened ?? session
  })
  if (!claimed) return { state: 'gone', reason: 'used' }
  return { state: 'claimed', cookie: browserCookieValue(ref, secret), session: claimed }
}

/** A session this browser claimed: the capture, before its client is looked up. */
export type HeldSession = Omit<Capture, 'client'>

export type BrowserSession =
  | { state: 'none' }
  | { state: 'expired' }
  | ({ state: 'open' } & HeldSession)
  | ({ state: 'submitted' } & HeldSession)

/**
 * The session this browser holds (by its cookie): open (the flow goes on), submitted (it may follow
 * the decision) or expired. Only the browser that claimed the session ever gets it.
 */
export const browserSession = async (
  deps: ClaimDeps,
  cookie: string | undefined,
): Promise<BrowserSession> => {
  const presented = parseBrowserCookie(cookie)
  const found = await load(deps, presented)
  if (
    !presented ||
    !found ||
    !(await hasClaim(found.database.db, found.session.id, claimDigest(presented.secret)))
  )
    return { state: 'none' }
  const gone = goneReason(found.session, deps.clock.now())
  if (gone === 'expired') return { state: 'expired' }
  const user = await findUserById(found.database.db, found.session.user_id)
  if (!user) return { state: 'none' }
  const held = {
    session: found.session,
    user,
    database: found.database,
    claimDigest: claimDigest(presented.secret),
  }
  return gone === 'submitted' ? { state: 'submitted', ...held } : { state: 'open', ...held }
}
