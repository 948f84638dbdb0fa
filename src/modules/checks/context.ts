import type { Config } from '../../config/config.ts'
import type { Databases, RegionDatabase } from '../../db/database.ts'
import type { Clock } from '../../lib/clock.ts'
import type { Keys } from '../../lib/keys.ts'
import { submittedIdentity } from '../verification/index.ts'
import type { CheckConfig, CheckContext } from './check.ts'
import { documentPolicyFor } from './policy.ts'

/** What the check job and the upload feedback both build around the analysis: one context shape. */
export const checkContext = (
  deps: {
    keys: Pick<Keys, 'identityFingerprints' | 'identitySnapshots' | 'ssn'>
    config: Pick<Config, 'documentPolicies'> & CheckConfig
  },
  databases: Databases,
  database: RegionDatabase,
  clock: Clock,
  facts: Pick<CheckContext, 'session' | 'user' | 'client' | 'sandbox' | 'input' | 'analysis'>,
): CheckContext => ({
  ...facts,
  identity: submittedIdentity(deps.keys, facts.session, facts.user),
  policy: documentPolicyFor(deps.config.documentPolicies[database.region], facts.client?.documentPolicy),
  keys: deps.keys,
  config: deps.config,
  now: clock.now(),
  database,
  databases,
})
