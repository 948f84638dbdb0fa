import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDatabases, type TestDatabases } from '../../../test/helpers/databases.ts'
import { DIALECTS } from '../../../test/helpers/dialects.ts'
import { ManualClock } from '../../lib/clock.ts'
import { importSanctionsList } from '../sanctions/index.ts'
import { testContext, testDocument, testUser } from './check-context.fixture.ts'
import { sanctionsScreening } from './sanctions.ts'

const fixture = (name: string) => ({ name, content: readFileSync(`test/fixtures/sanctions/${name}`) })

describe.each(DIALECTS)('sanctions screening check (%s)', (dialect) => {
  let test: TestDatabases
  const clock = new ManualClock(Date.parse('2026-12-02T12:00:00Z'))

  beforeAll(async () => {
    test = await openTestDatabases(dialect)
  })
  afterAll(() => test.close())

  const run = (user: Parameters<typeof testUser>[0], document?: Parameters<typeof testDocument>[0]) =>
    sanctionsScreening.run(
      testContext({
        user: testUser(user),
        analysis: document ? { documentData: testDocument(document) } : {},
        databases: test.databases,
        database: test.databases.home,
      }),
    )

  it('sends every live submission to a person while no list is imported', async () =>
    expect(await run({})).toMatchObject({ outcome: 'inconclusive', reason: 'SCREENING_UNAVAILABLE' }))

  it('a listed name is a match for a person to confirm, with the list entry in the evidence', async () => {
    await importSanctionsList(
      { databases: test.databases, clock },
      { file: fixture('sdn.csv'), aliases: fixture('alt.csv') },
    )
    const finding = await run({
      first_name: 'Muhammad Ali',
      last_name: 'Husein',
      date_of_birth: '1960-06-10',
      country_of_nationality: 'IQ',
    })
    expect(finding).toMatchObject({
      outcome: 'inconclusive',
      reason: 'SANCTIONS_MATCH',
      evidence: {
        thresholds: { alert: 0.8, review: 0.7 },
        lists: [expect.objectContaining({ list: 'ofac-sdn' })],
        hits: [expect.objectContaining({ list: 'ofac-sdn', reference: '2674', verdict: 'match' })],
      },
    })
    expect(finding.score).toBeGreaterThanOrEqual(0.8)
  })

  it('screens the document name too: the worse of both counts', async () => {
    const finding = await run(
      { first_name: 'Emma', last_name: 'Johnson', country_of_nationality: 'SY' },
      { givenNames: 'AHMAD', surname: 'AL BAKR', dateOfBirth: '1956-01-01', nationality: 'SYR' },
    )
    expect(finding).toMatchObject({
      outcome: 'inconclusive',
      reason: 'SANCTIONS_MATCH',
      evidence: { hits: [expect.objectContaining({ reference: '9002', source: 'document' })] },
    })
  })

  it('a strong name whose birth date and nationality contradict is a possible match', async () =>
    expect(
      await run({
        first_name: 'Mohammed Ali',
        last_name: 'Hussein',
        date_of_birth: '1992-03-04',
        country_of_nationality: 'GB',
      }),
    ).toMatchObject({ outcome: 'inconclusive', reason: 'SANCTIONS_POSSIBLE_MATCH' }))

  it('passes a name nobody listed, with its best score', async () => {
    const finding = await run({ first_name: 'Emma', last_name: 'Johnson' })
    expect(finding).toMatchObject({ outcome: 'pass', evidence: { hits: [] } })
    expect(finding.score).toBeLessThan(0.7)
  })

  it('does not apply to sandbox submissions', () =>
    expect(sanctionsScreening.appliesTo(testContext({ sandbox: true }))).toBe(false))
})
