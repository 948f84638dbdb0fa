import type { Queryable } from '../../db/database.ts'
import { documentNumberDigest } from './fingerprints.ts'
import { usersWithNumberDigest } from './repo.ts'

/** The most digests one query binds: far below SQLite's and PostgreSQL's limits on parameters. */
const NUMBER_DIGESTS_PER_QUERY = 500

/**
 * The users of one region's database whose checked document bears this number (the console's search).
 * The number's digest differs at each client, so it is computed for each of `clientIds` (the clients
 * serving that region: no other has users there) and looked up a chunk of clients at a time.
 */
export const usersWithDocumentNumber = async (
  db: Queryable,
  key: Buffer,
  search: { clientIds: readonly string[]; number: string },
  chunkSize = NUMBER_DIGESTS_PER_QUERY,
): Promise<string[]> => {
  const found = new Set<string>()
  for (let start = 0; start < search.clientIds.length; start += chunkSize) {
    const digests = search.clientIds
      .slice(start, start + chunkSize)
      .flatMap((clientId) => documentNumberDigest(key, clientId, search.number) ?? [])
    // Nothing of the number is left once normalised: no client has a digest of it.
    if (digests.length === 0) break
    for (const userId of await usersWithNumberDigest(db, digests)) found.add(userId)
  }
  return [...found]
}
