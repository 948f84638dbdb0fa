import type { Check } from './check.ts'

/**
 * A suspended user, or a user of a disabled client, is never decided by the machine, sandbox or live:
 * the case goes to a person with the reason.
 */
export const accountStanding: Check = {
  id: 'account-standing',
  version: '1',
  kind: 'account',
  appliesTo: () => true,
  run: ({ user, client }) =>
    user.status === 'suspended'
      ? { outcome: 'inconclusive', reason: 'ACCOUNT_SUSPENDED', evidence: { userStatus: user.status } }
      : client?.status !== 'active'
        ? {
            outcome: 'inconclusive',
            reason: 'CLIENT_DISABLED',
            evidence: { clientStatus: client?.status ?? null },
          }
        : { outcome: 'pass' },
}
