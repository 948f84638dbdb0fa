import type { Config } from '../../config/config.ts'
import type { Databases } from '../../db/database.ts'
import type { Clock } from '../../lib/clock.ts'
import type { Keys } from '../../lib/keys.ts'
import type { LoginThrottle } from '../auth/index.ts'
import type { ClientCache } from '../clients/index.ts'
import type { DocumentVault } from '../documents/index.ts'
import type { VerificationChanges } from '../verification/index.ts'

export type ConsoleDeps = {
  databases: Databases
  clock: Clock
  keys: Keys
  config: Config
  vault: DocumentVault
  /** Invalidated when an admin changes a client, so the API sees the change at once. */
  clientCache: ClientCache
  verificationChanges: VerificationChanges
  /** Failed staff sign-ins per source address, in this process (auth's throttle). */
  staffThrottle: LoginThrottle
  secureCookies: boolean
}
