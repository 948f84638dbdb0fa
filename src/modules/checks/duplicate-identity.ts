import type { Queryable, RegionDatabase } from '../../db/database.ts'
import { lockNames } from '../../db/row-locks.ts'
import type { Keys } from '../../lib/keys.ts'
import type { Check, CheckContext } from './check.ts'
import { documentNumberDigest, type IdentityFingerprint, identityFingerprints } from './fingerprints.ts'
import { otherHolders, saveFingerprints } from './repo.ts'

type FingerprintContext = Pick<CheckContext, 'keys' | 'session' | 'analysis' | 'identity'>
/** What recording needs beyond comparing: the key of the number digest the console searches. */
type RecordedContext = FingerprintContext & { keys: Pick<Keys, 'identityFingerprints' | 'documentNumbers'> }

/** The fingerprints of this submission: its document as read, and the SSN frozen with it. */
export const fingerprintsOf = (context: FingerprintContext): IdentityFingerprint[] =>
  identityFingerprints(
    context.keys.identityFingerprints,
    context.session.client_id,
    context.analysis.documentData,
    context.identity?.ssn ?? null,
  )

const holdersOf = (
  db: Queryable,
  context: Pick<CheckContext, 'session'>,
  fingerprints: IdentityFingerprint[],
) =>
  fingerprints.length === 0
    ? Promise.resolve([])
    : otherHolders(db, {
        clientId: context.session.client_id,
        userId: context.session.user_id,
        digests: fingerprints.map((fingerprint) => fingerprint.digest),
      })

/**
 * The same document (number + issuing country) or SSN already verified — or being verified — for
 * another user of the same client goes to a person, with the other user in the evidence. Not a
 * rejection: the document may have been stolen and used first by someone else, and rejecting its owner
 * would leave the impostor verified; a person decides about both accounts. Only fingerprints are
 * compared (fingerprints.ts). Sandbox clients are never compared (their submissions are not analysed,
 * and a client is sandbox or live for good, so sandbox and live fingerprints never meet).
 */
export const duplicateIdentity: Check = {
  id: 'duplicate-identity',
  version: '1',
  kind: 'duplicate',
  appliesTo: ({ sandbox, analysis }) => !sandbox && analysis.documentData !== undefined,
  run: async (context) => {
    const fingerprints = fingerprintsOf(context)
    const compared = fingerprints.map((fingerprint) => fingerprint.kind)
    // Without the document number the main comparison cannot be made: doubt goes to a person.
    if (!compared.includes('document')) return { outcome: 'inconclusive', evidence: { compared } }
    const holders = await holdersOf(context.database.db, context, fingerprints)
    if (holders.length > 0)
      return { outcome: 'inconclusive', reason: 'DUPLICATE_IDENTITY', evidence: { compared, holders } }
    return { outcome: 'pass', evidence: { compared } }
  },
}

/**
 * Stores the submission's fingerprints inside its decision's transaction. Two submissions of one
 * identity checked at the same moment would each find no other holder and could both be approved: so
 * the fingerprints are locked by name first, and an approval re-checks under that lock. If another user
 * took the identity meanwhile, the transaction is refused (the decision is not recorded) and the job
 * runs again, when the check sees the other holder.
 */
export const recordFingerprints = async (
  trx: Queryable,
  database: Pick<RegionDatabase, 'dialect'>,
  context: RecordedContext,
  options: { approving: boolean; at: number },
): Promise<void> => {
  const fingerprints = fingerprintsOf(context)
  if (fingerprints.length === 0) return
  const number = context.analysis.documentData?.documentNumber
  const numberDigest = number
    ? documentNumberDigest(context.keys.documentNumbers, context.session.client_id, number)
    : null
  await lockNames(
    database,
    trx,
    fingerprints.map((fingerprint) => `identity-fingerprint:${fingerprint.digest}`),
  )
  if (options.approving && (await holdersOf(trx, context, fingerprints)).length > 0)
    throw new Error(
      `session ${context.session.id}: another user took the same identity while it was checked; checking again`,
    )
  await saveFingerprints(
    trx,
    fingerprints.map((fingerprint) => ({
      session_id: context.session.id,
      kind: fingerprint.kind,
      client_id: context.session.client_id,
      user_id: context.session.user_id,
      digest: fingerprint.digest,
      number_digest: fingerprint.kind === 'document' ? numberDigest : null,
      created_at: options.at,
    })),
  )
}
