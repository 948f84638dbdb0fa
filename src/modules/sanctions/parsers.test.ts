import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { countryCode, parseListedDate } from './listed-entry.ts'
import { parseOfacSdn } from './ofac.ts'
import { parseOwnCsv } from './own-csv.ts'
import { parseUnConsolidated } from './un.ts'

const fixture = (name: string) => readFileSync(`test/fixtures/sanctions/${name}`, 'utf8')

const messageOf = (parse: () => unknown): string => {
  try {
    parse()
  } catch (error) {
    return (error as { publicMessage?: string }).publicMessage ?? String(error)
  }
  throw new Error('parsed')
}

describe('OFAC SDN CSV', () => {
  const { entries } = parseOfacSdn(fixture('sdn.csv'), fixture('alt.csv'))

  it('reads every row (the end-of-file marker is not one), -0- as null, kinds from SDN_Type', () => {
    expect(entries.map((entry) => [entry.reference, entry.kind])).toEqual([
      ['36', 'entity'],
      ['2674', 'individual'],
      ['7160', 'individual'],
      ['9001', 'individual'],
      ['9002', 'individual'],
      ['9003', 'vessel'],
    ])
  })

  it('takes dates of birth and nationality from Remarks, aliases from alt.csv, programmes unbracketed', () => {
    expect(entries.find((entry) => entry.reference === '2674')).toEqual({
      reference: '2674',
      kind: 'individual',
      name: 'HUSSEIN, Mohammed Ali',
      aliases: [{ name: 'HUSAYN, Muhammad Ali', weak: false }],
      datesOfBirth: ['1960-06-10', '1961'],
      nationalities: ['IRQ'],
      programs: ['IRAQ2'],
      line: 2,
    })
    expect(entries.find((entry) => entry.reference === '7160')?.programs).toEqual([
      'UKRAINE-EO13660',
      'RUSSIA-EO14024',
    ])
    expect(entries.find((entry) => entry.reference === '9001')?.datesOfBirth).toEqual(['1969/1971'])
    expect(entries.find((entry) => entry.reference === '9002')).toMatchObject({
      datesOfBirth: ['1955/1957'],
      nationalities: ['SYR'],
    })
  })

  it('refuses a row with the wrong number of fields, naming its line', () => {
    const broken = fixture('sdn.csv').replace('"AL-BAKR, Ahmad","individual",', '"AL-BAKR, Ahmad",')
    expect(messageOf(() => parseOfacSdn(broken))).toBe('sanctions file, line 5: expected 12 fields, found 11')
  })

  it('refuses an alias of an entry sdn.csv does not list', () => {
    expect(messageOf(() => parseOfacSdn(fixture('sdn.csv'), '1234,1,"aka","NOBODY",-0-\n'))).toBe(
      'sanctions file, line 1: alias of ent_num 1234, which sdn.csv does not list',
    )
  })
})

describe('UN consolidated XML', () => {
  const parsed = parseUnConsolidated(fixture('consolidated.xml'))

  it('reads individuals and entities with their lines, aliases (Low quality as weak), dates, nationalities', () => {
    expect(parsed.publishedAt).toBe('2026-11-30T09:00:00.000Z')
    expect(parsed.entries).toEqual([
      {
        reference: 'KPi.066',
        kind: 'individual',
        name: 'SERGEI DMITRY IVANOV',
        aliases: [
          { name: 'Sergey Ivanov', weak: false },
          { name: 'The Engineer', weak: true },
        ],
        datesOfBirth: ['1968-02-14'],
        nationalities: ['RUS'],
        programs: ['DPRK'],
        line: 4,
      },
      expect.objectContaining({
        reference: 'KPi.067',
        datesOfBirth: ['1970/1972'],
        nationalities: ['RUS', 'UKR'],
        line: 29,
      }),
      expect.objectContaining({ reference: 'KPe.010', kind: 'entity', line: 47 }),
    ])
  })

  it('refuses XML that is not well-formed, or not the consolidated list, naming the line', () => {
    expect(
      messageOf(() => parseUnConsolidated('<CONSOLIDATED_LIST>\n<INDIVIDUALS>\n</CONSOLIDATED_LIST>')),
    ).toMatch(/^sanctions file, line 3: not well-formed XML/)
    expect(messageOf(() => parseUnConsolidated('<?xml version="1.0"?>\n<LIST/>'))).toBe(
      'sanctions file, line 1: not a UN consolidated list (no CONSOLIDATED_LIST element)',
    )
    const nameless = fixture('consolidated.xml')
      .replace('<FIRST_NAME>OLGA</FIRST_NAME>', '')
      .replace('<SECOND_NAME>SMIRNOVA</SECOND_NAME>', '')
    expect(messageOf(() => parseUnConsolidated(nameless))).toBe(
      'sanctions file, line 29: individual without a name (FIRST_NAME … FOURTH_NAME)',
    )
  })
})

describe("Verity's own CSV", () => {
  it('reads the documented columns', () => {
    expect(parseOwnCsv(fixture('list.csv')).entries).toEqual([
      {
        reference: 'X-1',
        kind: 'individual',
        name: 'NASRALLAH, Hassan',
        aliases: [{ name: 'Abu Hadi', weak: false }],
        datesOfBirth: ['1960-08-31'],
        nationalities: ['LBN'],
        programs: ['internal'],
        line: 2,
      },
      expect.objectContaining({ reference: 'X-2', datesOfBirth: ['1980'], nationalities: ['CHN', 'TWN'] }),
      expect.objectContaining({ reference: 'X-3', kind: 'individual', datesOfBirth: ['1985/1987'] }),
      expect.objectContaining({ reference: 'X-4', kind: 'entity' }),
    ])
  })

  it.each([
    ['an unclosed quote', fixture('malformed.csv'), 'sanctions file, line 3–4: expected 3 fields, found 4'],
    ['a header without name', 'reference,title\nX,Y\n', /line 1: the header must name a "name" column/],
    ['a bad date', 'name,dates_of_birth\nJOHN DOE,10/06/1960\n', /line 2: date of birth "10\/06\/1960"/],
    ['an unknown country', 'name,nationalities\nJOHN DOE,Atlantis\n', /line 2: nationality "Atlantis"/],
    [
      'a reference twice',
      'reference,name\nA,X Y\nA,Z W\n',
      'sanctions file, line 3: reference A appears twice',
    ],
  ])('refuses %s with its line', (_case, text, message) =>
    expect(messageOf(() => parseOwnCsv(text))).toMatch(message),
  )
})

describe('dates and countries as lists write them', () => {
  const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

  it('reads back any date written as OFAC writes it (10 Jun 1960)', () =>
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1900-01-01'), max: new Date('2020-12-31'), noInvalidDate: true }),
        (date) => {
          const iso = date.toISOString().slice(0, 10)
          const written = `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`
          expect(parseListedDate(written)).toBe(iso)
          expect(parseListedDate(iso)).toBe(iso)
        },
      ),
    ))

  it.each([
    ['Jun 1960', '1960-06'],
    ['circa 1960', '1959/1961'],
    ['1955 to 1957', '1955/1957'],
    ['01 Jan 1955 to 31 Dec 1957', '1955/1957'],
    ['sometime', undefined],
  ])('%s → %s', (text, date) => expect(parseListedDate(text)).toBe(date))

  it.each([
    ['Iraq', 'IRQ'],
    ['IQ', 'IRQ'],
    ['irq', 'IRQ'],
    ['Korea, North', 'PRK'],
    ['Atlantis', undefined],
  ])('%s → %s', (text, code) => expect(countryCode(text)).toBe(code))
})
