import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Region } from '../../src/db/database.ts'
import { newUuid } from '../../src/lib/ids.ts'
import { listAuditEntries } from '../../src/modules/audit/index.ts'
import { listAlerts, resolveAlert } from '../../src/modules/review/index.ts'
import {
  describeSanctionsLists,
  importSanctionsList,
  type ListFile,
} from '../../src/modules/sanctions/index.ts'
import { findUserById, insertUser, newUserRow } from '../../src/modules/users/index.ts'
import { buildTestApp, TEST_ACTOR, type TestApp } from '../helpers/app.ts'
import { eventually } from '../helpers/databases.ts'
import { DIALECTS } from '../helpers/dialects.ts'

const file = (
  name: string,
  content: string | Buffer = readFileSync(`test/fixtures/sanctions/${name}`),
): ListFile => ({
  name,
  content: Buffer.from(content),
})

/** `verity sanctions import` (issue #12): atomic versions of the operator's lists, re-screening after. */
describe.each(DIALECTS)('sanctions lists (%s)', (dialect) => {
  let t: TestApp
  let liveClientId: string
  let sandboxClientId: string

  beforeAll(async () => {
    t = await buildTestApp(dialect, { worker: true })
    liveClientId = (await t.createClient({ name: 'live', mode: 'live', regions: ['intl', 'us'] })).client.id
    sandboxClientId = (await t.createClient({ name: 'sandbox', mode: 'sandbox' })).client.id
  })
  afterAll(() => t.close())

  const home = () => t.runtime.databases.home.db
  const entriesOf = async (list: string) =>
    (
      await home()
        .selectFrom('sanctions_entry')
        .innerJoin('sanctions_list_version', 'sanctions_list_version.id', 'sanctions_entry.version_id')
        .select('sanctions_entry.reference')
        .where('sanctions_list_version.list_name', '=', list)
        .execute()
    ).map((row) => row.reference)
  const listed = async (list: string) =>
    (await describeSanctionsLists(t.runtime.databases.home)).find((each) => each.list === list)

  const verifiedUser = async (
    clientId: string,
    name: { first: string; last: string; dob: string; nationality?: string },
    region: Region = 'intl',
  ) => {
    const now = t.clock.now()
    const database = t.runtime.databases.byRegion[region]
    return insertUser(
      database.db,
      newUserRow({
        id: newUuid(),
        client_id: clientId,
        onboarding_id: newUuid(),
        email: `${newUuid()}@example.com`,
        password_hash: 'x',
        country_of_residence: region === 'us' ? 'US' : 'GB',
        created_at: now,
        first_name: name.first,
        last_name: name.last,
        date_of_birth: name.dob,
        country_of_nationality: name.nationality ?? 'GB',
        registration_completed_at: now,
        verification_state: 'VERIFIED',
        state_version: 2,
      }),
    )
  }

  it('imports each format with its counts, and lists versions with their file hash', async () => {
    const ofac = await importSanctionsList(t.runtime, { file: file('sdn.csv'), aliases: file('alt.csv') })
    expect(ofac).toMatchObject({ list: 'ofac-sdn', format: 'ofac-sdn-csv', entries: 6, names: 8 })
    const un = await importSanctionsList(t.runtime, { file: file('consolidated.xml') })
    expect(un).toMatchObject({ list: 'un-consolidated', format: 'un-xml', entries: 3, names: 6 })
    expect(un.publishedAt).toBe('2026-11-30T09:00:00.000Z')
    const own = await importSanctionsList(t.runtime, { file: file('list.csv'), list: 'internal' })
    expect(own).toMatchObject({ list: 'internal', format: 'csv', entries: 4, names: 6 })
    expect((await listed('ofac-sdn'))?.versions).toEqual([
      expect.objectContaining({ versionId: ofac.versionId, current: true, entries: 6, sha256: ofac.sha256 }),
    ])
    expect(ofac.sha256).toMatch(/^[0-9a-f]{64}$/)
  })

  it('replaces a list atomically: the new version is current, the old one keeps its record, not its entries', async () => {
    const before = (await listed('internal'))?.versions[0]?.versionId
    const smaller = 'reference,name\nZ-1,"DOE, John"\nZ-2,"ROE, Jane"\n'
    const next = await importSanctionsList(t.runtime, { file: file('list2.csv', smaller), list: 'internal' })
    expect(next.replacedVersionId).toBe(before)
    expect((await entriesOf('internal')).sort()).toEqual(['Z-1', 'Z-2'])
    expect((await listed('internal'))?.versions.map((each) => [each.versionId, each.current])).toEqual([
      [next.versionId, true],
      [before, false],
    ])
  })

  it('refuses a malformed file with its line number, and the current version stays whole', async () => {
    const before = await listed('internal')
    await expect(
      importSanctionsList(t.runtime, { file: file('malformed.csv'), list: 'internal' }),
    ).rejects.toMatchObject({ publicMessage: 'sanctions file, line 3–4: expected 3 fields, found 4' })
    const broken = readFileSync('test/fixtures/sanctions/sdn.csv', 'utf8').replace(',"SDGT",', ',')
    await expect(importSanctionsList(t.runtime, { file: file('sdn.csv', broken) })).rejects.toMatchObject({
      publicMessage: 'sanctions file, line 4: expected 12 fields, found 11',
    })
    expect(await listed('internal')).toEqual(before)
    expect((await entriesOf('internal')).sort()).toEqual(['Z-1', 'Z-2'])
    expect(await entriesOf('ofac-sdn')).toHaveLength(6)
  })

  it('re-screens verified users of live clients after an import: a new hit opens an alert, the state stays', async () => {
    const listedPerson = await verifiedUser(liveClientId, {
      first: 'Hassan',
      last: 'Nasralla',
      dob: '1960-08-31',
      nationality: 'LB',
    })
    const usPerson = await verifiedUser(
      liveClientId,
      { first: 'Wei', last: 'Zhang', dob: '1980-03-03' },
      'us',
    )
    const clearPerson = await verifiedUser(liveClientId, {
      first: 'Emma',
      last: 'Johnson',
      dob: '1985-01-01',
    })
    const sandboxPerson = await verifiedUser(sandboxClientId, {
      first: 'Hassan',
      last: 'Nasrallah',
      dob: '1960-08-31',
    })
    const imported = await importSanctionsList(t.runtime, { file: file('list.csv'), list: 'internal' })

    const alerts = await eventually(async () => {
      const open = (await listAlerts(t.runtime)).filter(
        (alert) => alert.evidence.hit.versionId === imported.versionId,
      )
      expect(open.map((alert) => alert.userId).sort()).toEqual([listedPerson.id, usPerson.id].sort())
      return open
    }, 20_000)
    const hassan = alerts.find((alert) => alert.userId === listedPerson.id)
    expect(hassan).toMatchObject({
      region: 'intl',
      clientId: liveClientId,
      list: 'internal',
      entry: 'X-1',
      status: 'open',
      evidence: { hit: { primaryName: 'NASRALLAH, Hassan', verdict: 'match', dateOfBirth: 'agrees' } },
    })
    expect(alerts.find((alert) => alert.userId === usPerson.id)?.region).toBe('us')
    for (const user of [listedPerson, clearPerson, sandboxPerson])
      expect((await findUserById(home(), user.id))?.verification_state).toBe('VERIFIED')

    // A person clears it; the next import neither duplicates nor reopens it.
    const cleared = await resolveAlert(
      t.runtime,
      hassan?.alertId as string,
      {
        action: 'clear',
        reviewer: 'Alice@Example.com',
        note: 'another Hassan Nasralla: born in Leeds',
      },
      TEST_ACTOR,
    )
    expect(cleared).toMatchObject({ status: 'cleared', resolvedBy: 'alice@example.com' })
    // Audited in the alert's region, in the resolution's transaction; the refused second one is not.
    const audited = await listAuditEntries(home(), { action: 'alert.resolve', limit: 10 })
    expect(audited).toMatchObject([
      {
        actor: TEST_ACTOR,
        subject: { type: 'alert', id: hassan?.alertId },
        details: { userId: listedPerson.id, resolution: 'cleared', list: 'internal', entry: 'X-1' },
      },
    ])
    await expect(
      resolveAlert(
        t.runtime,
        hassan?.alertId as string,
        {
          action: 'confirm',
          reviewer: 'bob@example.com',
          note: 'x',
        },
        TEST_ACTOR,
      ),
    ).rejects.toMatchObject({ code: 'CONFLICT' })
    const again = await importSanctionsList(t.runtime, {
      file: file('list3.csv', readFileSync('test/fixtures/sanctions/list.csv')),
      list: 'internal',
    })
    await eventually(async () => {
      const jobs = await home()
        .selectFrom('job')
        .select('status')
        .where('type', '=', 'sanctions.rescreen')
        .where('payload', 'like', `%${again.versionId}%`)
        .execute()
      expect(jobs.map((job) => job.status)).toEqual(['done', 'done'])
    }, 20_000)
    const all = await listAlerts(t.runtime, { all: true })
    expect(all.filter((alert) => alert.userId === listedPerson.id).map((alert) => alert.status)).toEqual([
      'cleared',
    ])
  })

  it('confirming an alert needs a note and a reviewer', async () => {
    const [open] = await listAlerts(t.runtime)
    await expect(
      resolveAlert(
        t.runtime,
        open?.alertId as string,
        { action: 'confirm', reviewer: 'alice@example.com' },
        TEST_ACTOR,
      ),
    ).rejects.toThrow(/--note is required/)
    await expect(
      resolveAlert(t.runtime, open?.alertId as string, { action: 'clear', reviewer: 'alice' }, TEST_ACTOR),
    ).rejects.toThrow(/must be an email/)
    await expect(
      resolveAlert(t.runtime, 'sca_nothing', { action: 'clear', reviewer: 'a@example.com' }, TEST_ACTOR),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    })
  })
})
