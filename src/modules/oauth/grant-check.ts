import type { GrantedToClient } from '../auth/index.ts'
import { hasGrant } from './repo.ts'

/** Login's isLinked: the user granted this client through either OAuth flow (and did not revoke it). */
export const grantedToClient: GrantedToClient = (scope, userId) =>
  hasGrant(scope.database.db, userId, scope.client.id)
