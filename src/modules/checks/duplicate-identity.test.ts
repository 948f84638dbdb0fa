import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { api } from '../../../test/helpers/accounts.ts'
import { buildTestApp, type TestApp } from '../../../test/helpers/app.ts'
import { registerSandboxUser } from '../../../test/helpers/capture.ts'
import { DIALECTS } from '../../../test/helpers/dialects.ts'
import { openLink } from '../../../test/helpers/sessions.ts'
import type { SessionRow } from '../../db/schema.ts'
import { findSession, submitSession } from '../verification/index.ts'
import { recordFingerprints } from './duplicate-identity.ts'
import { documentNumberDigest } from './fingerprints.ts'
import { usersWithDocumentNumber } from './number-search.ts'
import { usersWithNumberDigest } from './repo.ts'
import { passportData } from './test-context.ts'

/**
 * Two submissions of one identity decided at the same moment: neither sees the other when its checks
 * run, so the approval re-checks inside its decision's transaction, under a lock on the fingerprint.
 */
describe.each(DIALECTS)('recording identity fingerprints (%s)', (dialect) => {
  let t: TestApp
  let clientKey: string

  beforeAll(async () => {
    t = await buildTestApp(dialect)
    clientKey = (await t.createClient({ name: 'race' })).client.clientKey
  })
  afterAll(() => t.close())

  const submittedSession = async (): Promise<SessionRow> => {
    const user = await registerSandboxUser(t, clientKey, { firstName: 'Jane', lastName: 'Doe' })
    const started = await api(t.app, clientKey).get('/v1/user/verification', {
      authorization: `Bearer ${user.token}`,
    })
    const { sessionUrl, sessionId } = started.json() as { sessionUrl: string; sessionId: string }
    expect((await openLink(t.app, sessionUrl)).statusCode).toBe(303)
    await submitSession(t.runtime, user.database, sessionId, false)
    return (await findSession(user.database.db, sessionId)) as SessionRow
  }
  const database = () => t.runtime.databases.byRegion.intl
  const contextOf = (session: SessionRow, documentNumber: string) => ({
    keys: t.runtime.keys,
    session,
    analysis: { documentData: passportData({ documentNumber }) },
    identity: null,
  })

  it('refuses the second of two approvals racing for one identity; it waits for the first to commit', async () => {
    const [first, second] = [await submittedSession(), await submittedSession()]
    const { db } = database()
    let release = () => {}
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    let recorded = () => {}
    const firstRecorded = new Promise<void>((resolve) => {
      recorded = resolve
    })
    const firstApproval = db.transaction().execute(async (trx) => {
      await trx
        .updateTable('app_user')
        .set({ verification_state: 'VERIFIED' })
        .where('id', '=', first.user_id)
        .execute()
      await recordFingerprints(trx, database(), contextOf(first, 'R00000001'), {
        approving: true,
        at: t.clock.now(),
      })
      recorded()
      await gate
    })
    await firstRecorded
    let settled = false
    const secondApproval = db
      .transaction()
      .execute((trx) =>
        recordFingerprints(trx, database(), contextOf(second, 'R00000001'), {
          approving: true,
          at: t.clock.now(),
        }),
      )
      .finally(() => {
        settled = true
      })
    secondApproval.catch(() => {})
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(settled, 'the second waits while the first holds the fingerprint').toBe(false)
    release()
    await firstApproval
    await expect(secondApproval).rejects.toThrow(/another user took the same identity/)
    const rows = await db
      .selectFrom('identity_fingerprint')
      .select('session_id')
      .where('session_id', 'in', [first.id, second.id])
      .execute()
    expect(rows.map((row) => row.session_id)).toEqual([first.id])
  })

  it('records a decision that approves nothing whoever else holds the identity', async () => {
    const [holder, other] = [await submittedSession(), await submittedSession()]
    const { db } = database()
    await db.transaction().execute((trx) =>
      recordFingerprints(trx, database(), contextOf(holder, 'R00000002'), {
        approving: false,
        at: t.clock.now(),
      }),
    )
    await db.transaction().execute((trx) =>
      recordFingerprints(trx, database(), contextOf(other, 'R00000002'), {
        approving: false,
        at: t.clock.now(),
      }),
    )
    await expect(
      db.transaction().execute((trx) =>
        recordFingerprints(trx, database(), contextOf(other, 'R00000002'), {
          approving: true,
          at: t.clock.now(),
        }),
      ),
      'approving while the holder is in review',
    ).rejects.toThrow(/another user/)
    const rows = await db
      .selectFrom('identity_fingerprint')
      .select('digest')
      .where('session_id', 'in', [holder.id, other.id])
      .execute()
    expect(rows).toHaveLength(2)
    expect(rows[0]?.digest).toBe(rows[1]?.digest)
  })

  it("keeps the document number's own keyed digest with the fingerprint, which finds the user", async () => {
    const session = await submittedSession()
    const { db } = database()
    await db
      .transaction()
      .execute((trx) =>
        recordFingerprints(
          trx,
          database(),
          { ...contextOf(session, 'R00000003'), identity: { ssn: '123456789' } as never },
          { approving: false, at: t.clock.now() },
        ),
      )
    const rows = await db
      .selectFrom('identity_fingerprint')
      .select(['kind', 'number_digest'])
      .where('session_id', '=', session.id)
      .orderBy('kind')
      .execute()
    const digest = documentNumberDigest(t.runtime.keys.documentNumbers, session.client_id, 'r-0000 0003')
    expect(rows).toEqual([
      { kind: 'document', number_digest: digest },
      { kind: 'ssn', number_digest: null },
    ])
    expect(await usersWithNumberDigest(db, [digest as string])).toEqual([session.user_id])
    // The same number at another client is another digest.
    const elsewhere = documentNumberDigest(t.runtime.keys.documentNumbers, 'cli_other', 'R00000003')
    expect(await usersWithNumberDigest(db, [elsewhere as string])).toEqual([])

    // The console's search by number: a query per chunk of clients, here 2 to a chunk; the user's client
    // comes fifth, in the third query.
    const clientIds = ['cli_a', 'cli_b', 'cli_c', 'cli_d', session.client_id]
    const queries = vi.spyOn(db, 'selectFrom')
    try {
      const search = (number: string) =>
        usersWithDocumentNumber(db, t.runtime.keys.documentNumbers, { clientIds, number }, 2)
      expect(await search('R0000-0003')).toEqual([session.user_id])
      expect(queries).toHaveBeenCalledTimes(3)
      queries.mockClear()
      expect(await search('  --  '), 'nothing left of the number once normalised: no query').toEqual([])
      expect(queries).not.toHaveBeenCalled()
    } finally {
      queries.mockRestore()
    }
  })
})
