import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.ts'
import { createTestDatabaseTargets, type TestDatabaseTargets } from '../helpers/dialects.ts'

/**
 * `verity client policy`: a client's document acceptance, which only narrows its regions' policy. One
 * dialect: each command is a process start (seconds on this machine); the settings reach the checks on
 * both dialects in test/integration/identity-checks.test.ts.
 */
describe.each(['sqlite'] as const)('verity client policy (%s)', (dialect) => {
  let storage: TestDatabaseTargets
  let env: Record<string, string>
  let clientId: string

  beforeAll(async () => {
    storage = await createTestDatabaseTargets(dialect)
    env = {
      DATA_DIR: storage.dataDir,
      ...storage.env,
      US_MINIMUM_AGE: '21',
      INTL_ACCEPTED_ISSUING_COUNTRIES: 'DE,FR,GB',
    }
    const created = await runCli(
      ['client', 'create', '--name', 'acme', '--regions', 'intl,us', '--json'],
      env,
    )
    expect(created.code, created.stderr).toBe(0)
    clientId = JSON.parse(created.stdout).clientId
  })
  afterAll(() => storage.cleanup())

  const policy = async (...args: string[]) => {
    const result = await runCli(['client', 'policy', clientId, ...args, '--json'], env)
    expect(result.code, result.stderr).toBe(0)
    return JSON.parse(result.stdout)
  }

  it("shows the region's policy for a client without settings of its own", async () => {
    expect(await policy()).toEqual({
      clientId,
      settings: { documentTypes: null, issuingCountries: null, restrictedCountries: [], minimumAge: null },
      effective: {
        intl: {
          documentTypes: ['passport', 'id_card', 'driving_licence', 'residence_permit'],
          issuingCountries: ['DE', 'FR', 'GB'],
          restrictedCountries: ['CU', 'IR', 'KP', 'SY'],
          minimumAge: 18,
        },
        us: {
          documentTypes: ['passport', 'id_card', 'driving_licence', 'residence_permit'],
          issuingCountries: 'any',
          restrictedCountries: ['CU', 'IR', 'KP', 'SY'],
          minimumAge: 21,
        },
      },
    })
  })

  it('stores settings that narrow every region, and puts them back to the region', async () => {
    const narrowed = await policy(
      '--document-types',
      'passport,id_card',
      '--issuing-countries',
      'fr,us',
      '--restricted-countries',
      'RU,BY',
      '--minimum-age',
      '19',
    )
    expect(narrowed.settings).toEqual({
      documentTypes: ['passport', 'id_card'],
      issuingCountries: ['FR', 'US'],
      restrictedCountries: ['BY', 'RU'],
      minimumAge: 19,
    })
    expect(narrowed.effective.intl).toEqual({
      documentTypes: ['passport', 'id_card'],
      issuingCountries: ['FR'],
      restrictedCountries: ['BY', 'CU', 'IR', 'KP', 'RU', 'SY'],
      minimumAge: 19,
    })
    expect(narrowed.effective.us).toMatchObject({ issuingCountries: ['FR', 'US'], minimumAge: 21 })
    // Read back by a later process, one setting changed alone, and the summary an operator reads.
    const summary = await runCli(['client', 'policy', clientId, '--minimum-age', 'region'], env)
    expect(summary.code, summary.stderr).toBe(0)
    expect(summary.stdout).toContain("minimum age           the region's")
    expect(summary.stdout).toContain(
      'in intl: types passport, id_card; issued in FR; refused BY, CU, IR, KP, RU, SY; age 18+',
    )
    expect(summary.stdout).toContain(
      'in us: types passport, id_card; issued in FR, US; refused BY, CU, IR, KP, RU, SY; age 21+',
    )
    const reset = await policy(
      '--document-types',
      'region',
      '--issuing-countries',
      'region',
      '--restricted-countries',
      'none',
    )
    expect(reset.settings).toEqual({
      documentTypes: null,
      issuingCountries: null,
      restrictedCountries: [],
      minimumAge: null,
    })
  })

  it('refuses settings it cannot apply, naming each, and changes nothing', async () => {
    const result = await runCli(
      [
        'client',
        'policy',
        clientId,
        '--document-types',
        'passport,visa',
        '--issuing-countries',
        'XX',
        '--restricted-countries',
        'RU',
        '--minimum-age',
        'eighteen',
      ],
      env,
    )
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(
      'documentTypes: expected a comma list of passport, driving_licence, id_card, residence_permit; unknown: visa',
    )
    expect(result.stderr).toContain('issuingCountries: not ISO 3166-1 alpha-2 country codes: XX')
    expect(result.stderr).toContain('minimumAge: must be a whole number of years from 1 to 120')
    expect(result.stderr, 'no stack trace').not.toContain('    at ')
    expect((await policy()).settings.restrictedCountries, 'the valid setting was not applied either').toEqual(
      [],
    )
  })

  it('stops on a region policy it cannot read, naming the variable', async () => {
    const result = await runCli(['client', 'policy', clientId], {
      ...env,
      US_RESTRICTED_COUNTRIES: 'IR,Iran',
    })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('US_RESTRICTED_COUNTRIES: not ISO 3166-1 alpha-2 country codes: Iran')
  })
})
