import type { Keys } from '../../lib/keys.ts'
import type { AuthDeps } from '../auth/index.ts'
import type { ClientDeps } from '../clients/index.ts'
import type { TokenDeps } from './tokens.ts'

export type OAuthDeps = ClientDeps &
  TokenDeps & {
    keys: Keys
    config: { PUBLIC_URL: string }
    /** The hosted sign-in page signs users in with login's own rules. */
    auth: AuthDeps
    secureCookies: boolean
  }
