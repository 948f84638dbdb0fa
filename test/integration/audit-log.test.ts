import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RegionDatabase } from '../../src/db/database.ts'
import { ManualClock } from '../../src/lib/clock.ts'
import { deriveKeys } from '../../src/lib/keys.ts'
import {
  type AuditEntryInput,
  appendAudit,
  listAuditEntries,
  verifyAuditChain,
} from '../../src/modules/audit/index.ts'
import { withTriggersOff } from '../helpers/audit.ts'
import { openTestDatabases, type TestDatabases } from '../helpers/databases.ts'
import { DIALECTS } from '../helpers/dialects.ts'

const keys = deriveKeys(Buffer.alloc(32, 1))

/** The append-only, hash-chained audit log of each region's database (issue #13 item 5). */
describe.each(DIALECTS)('the audit log (%s)', (dialect) => {
  let t: TestDatabases
  let database: RegionDatabase
  const clock = new ManualClock()
  const deps = { keys, clock }

  beforeAll(async () => {
    t = await openTestDatabases(dialect)
    database = t.databases.byRegion.intl
  })
  afterAll(() => t.close())

  const entry = (n: number): AuditEntryInput => ({
    actor: 'cli:tester',
    action: 'client.update',
    subject: { type: 'client', id: `cli_${n}` },
    details: { fields: ['redirectUris'], n },
  })
  const append = (input: AuditEntryInput, on = database) =>
    on.db.transaction().execute((trx) => appendAudit(deps, on, trx, input))
  const count = async () =>
    Number(
      (
        await database.db
          .selectFrom('audit_log')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    )

  it('verifies the chain after many appends, across pages of the walk', async () => {
    expect(await verifyAuditChain(database, keys)).toEqual({ ok: true, entries: 0, tip: null })
    const first = await append(entry(0))
    expect(first).toMatchObject({ sequence: 1, prevHash: '0'.repeat(64), actor: 'cli:tester' })
    // More than one page (1000) of the verifier's walk, a few hundred per transaction.
    for (let batch = 0; batch < 4; batch++)
      await database.db.transaction().execute(async (trx) => {
        for (let i = 0; i < 300; i++) {
          clock.advance(1)
          await appendAudit(deps, database, trx, entry(batch * 300 + i + 1))
        }
      })
    const verified = await verifyAuditChain(database, keys)
    expect(verified).toMatchObject({ ok: true, entries: 1201, tip: { sequence: 1201 } })
    // The other region's chain is its own, and empty.
    expect(await verifyAuditChain(t.databases.byRegion.us, keys)).toMatchObject({ ok: true, entries: 0 })
  })

  it('keeps one unbroken chain under 20 concurrent appends', async () => {
    const before = await count()
    // Each append in its own transaction, all started at once (on PostgreSQL: 10 pooled connections).
    await Promise.all(Array.from({ length: 20 }, (_, i) => append(entry(10_000 + i))))
    expect(await count()).toBe(before + 20)
    expect(await verifyAuditChain(database, keys)).toMatchObject({ ok: true, entries: before + 20 })
  })

  it('refuses UPDATE and DELETE (and TRUNCATE on PostgreSQL) with the triggers', async () => {
    await expect(
      database.db.updateTable('audit_log').set({ details: '{}' }).where('sequence', '=', 1).execute(),
    ).rejects.toThrow(/append-only/)
    await expect(database.db.deleteFrom('audit_log').where('sequence', '=', 1).execute()).rejects.toThrow(
      /append-only/,
    )
    if (dialect === 'postgres')
      await expect(sql`truncate audit_log`.execute(database.db)).rejects.toThrow(/append-only/)
    expect(await verifyAuditChain(database, keys)).toMatchObject({ ok: true })
  })

  it('names the first broken entry: altered content, an altered link, a removed entry', async () => {
    const rowOf = (sequence: number) =>
      database.db
        .selectFrom('audit_log')
        .selectAll()
        .where('sequence', '=', sequence)
        .executeTakeFirstOrThrow()
    const original = await rowOf(17)

    await withTriggersOff(database, (db) =>
      db
        .updateTable('audit_log')
        .set({ details: '{"fields":["allowedOrigins"],"n":16}' })
        .where('sequence', '=', 17)
        .execute(),
    )
    expect(await verifyAuditChain(database, keys)).toMatchObject({
      ok: false,
      entries: 16,
      brokenAt: 17,
      action: 'client.update',
      reason: 'hash_mismatch',
    })

    await withTriggersOff(database, (db) =>
      db
        .updateTable('audit_log')
        .set({ details: original.details, prev_hash: 'a'.repeat(64) })
        .where('sequence', '=', 17)
        .execute(),
    )
    expect(await verifyAuditChain(database, keys)).toMatchObject({
      ok: false,
      brokenAt: 17,
      reason: 'prev_hash_mismatch',
    })

    await withTriggersOff(database, (db) =>
      db.updateTable('audit_log').set({ prev_hash: original.prev_hash }).where('sequence', '=', 17).execute(),
    )
    expect(await verifyAuditChain(database, keys)).toMatchObject({ ok: true })

    await withTriggersOff(database, (db) => db.deleteFrom('audit_log').where('sequence', '=', 17).execute())
    expect(await verifyAuditChain(database, keys)).toMatchObject({
      ok: false,
      brokenAt: 18,
      reason: 'sequence_gap',
    })
    await withTriggersOff(database, (db) => db.insertInto('audit_log').values(original).execute())
    expect(await verifyAuditChain(database, keys)).toMatchObject({ ok: true })
  })

  it('leaves no entry when the transaction of the action rolls back', async () => {
    const before = await count()
    await expect(
      database.db.transaction().execute(async (trx) => {
        await appendAudit(deps, database, trx, entry(99_999))
        throw new Error('the action failed after its audit entry')
      }),
    ).rejects.toThrow('the action failed')
    expect(await count()).toBe(before)
    // The next entry takes the sequence number the rolled back one would have had: no gap.
    expect((await append(entry(100_000))).sequence).toBe(before + 1)
    expect(await verifyAuditChain(database, keys)).toMatchObject({ ok: true, entries: before + 1 })
  })

  it('refuses an append outside a transaction, an actor it does not know, and long text in details', async () => {
    // biome-ignore lint/suspicious/noExplicitAny: the type already forbids it; the check is for JS callers
    await expect(appendAudit(deps, database, database.db as any, entry(1))).rejects.toThrow(/transaction/)
    await expect(append({ ...entry(1), actor: 'root' as never })).rejects.toThrow(/actor/)
    await expect(append({ ...entry(1), details: { note: 'x'.repeat(201) } })).rejects.toThrow(/longer/)
  })

  it('lists entries newest first, filtered by subject, actor and action, page by page', async () => {
    const us = t.databases.byRegion.us
    await append({ actor: 'staff:stf_1', action: 'case.view', subject: { type: 'session', id: 'ses_1' } }, us)
    await append({ actor: 'staff:stf_2', action: 'case.view', subject: { type: 'session', id: 'ses_1' } }, us)
    await append(
      { actor: 'staff:stf_1', action: 'case.decide', subject: { type: 'session', id: 'ses_1' } },
      us,
    )
    await append({ actor: 'system', action: 'staff.sign_in_failed' }, us)
    const all = await listAuditEntries(us.db, { limit: 10 })
    expect(all.map((each) => each.sequence)).toEqual([4, 3, 2, 1])
    expect(all[3]).toMatchObject({
      actor: 'staff:stf_1',
      action: 'case.view',
      subject: { type: 'session', id: 'ses_1' },
    })
    expect(all[0]).toMatchObject({ subject: null, details: {} })
    const ofStaff = await listAuditEntries(us.db, { actor: 'staff:stf_1', subjectId: 'ses_1', limit: 10 })
    expect(ofStaff.map((each) => each.action)).toEqual(['case.decide', 'case.view'])
    expect((await listAuditEntries(us.db, { action: 'case.view', limit: 1 })).map((e) => e.sequence)).toEqual(
      [2],
    )
    expect(
      (await listAuditEntries(us.db, { action: 'case.view', before: 2, limit: 1 })).map((e) => e.sequence),
    ).toEqual([1])
    expect(await listAuditEntries(us.db, { subjectType: 'user', limit: 10 })).toEqual([])
  })
})
