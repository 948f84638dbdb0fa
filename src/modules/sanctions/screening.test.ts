import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { SanctionsListVersionRow } from '../../db/schema.ts'
import { formsSimilarity, joinedForms, personTokens } from '../names/index.ts'
import { entryRows } from './import.ts'
import type { ListedEntry } from './listed-entry.ts'
import { parseOfacSdn } from './ofac.ts'
import { parseOwnCsv } from './own-csv.ts'
import { buildScreeningIndex, type ScreenedPerson, screenPerson } from './screening.ts'
import { parseUnConsolidated } from './un.ts'

const fixture = (name: string) => readFileSync(`test/fixtures/sanctions/${name}`, 'utf8')
const THRESHOLDS = { alert: 0.8, review: 0.7 }

const version = (id: string, list: string, entries: number): SanctionsListVersionRow => ({
  id,
  list_name: list,
  format: 'csv',
  file_name: `${list}.csv`,
  file_sha256: '0'.repeat(64),
  entry_count: entries,
  name_count: entries,
  published_at: null,
  imported_at: 0,
  replaced_at: null,
})

const indexOf = (lists: Record<string, ListedEntry[]>) => {
  const versions = Object.entries(lists).map(([list, entries]) =>
    version(`slv_${list}`, list, entries.length),
  )
  return buildScreeningIndex(
    versions,
    Object.entries(lists).flatMap(([list, entries]) => entryRows(`slv_${list}`, entries)),
  )
}

const fixtureIndex = indexOf({
  'ofac-sdn': parseOfacSdn(fixture('sdn.csv'), fixture('alt.csv')).entries,
  'un-consolidated': parseUnConsolidated(fixture('consolidated.xml')).entries,
  internal: parseOwnCsv(fixture('list.csv')).entries,
})

const person = (given: string, family: string, more: Partial<ScreenedPerson> = {}): ScreenedPerson => ({
  names: [{ source: 'registration', given, family }],
  datesOfBirth: [],
  nationalities: [],
  ...more,
})

describe('screenPerson', () => {
  it('finds a listed person under another spelling: a match, with the entry, scores and tokens', () => {
    const result = screenPerson(
      fixtureIndex,
      person('Muhammad Ali', 'Husein', { datesOfBirth: ['1960-06-10'], nationalities: ['IRQ'] }),
      THRESHOLDS,
    )
    expect(result.outcome).toBe('match')
    expect(result.hits[0]).toMatchObject({
      list: 'ofac-sdn',
      reference: '2674',
      primaryName: 'HUSSEIN, Mohammed Ali',
      dateOfBirth: 'agrees',
      nationality: 'agrees',
      verdict: 'match',
      sourceLine: 2,
    })
    expect(result.hits[0]?.score).toBeGreaterThanOrEqual(0.9)
    expect(result.hits[0]?.matchedTokens.map((pair) => pair.search)).toContain('muhammad')
  })

  it('finds a name in another script and a joined given name', () => {
    expect(screenPerson(fixtureIndex, person('Сергей', 'Иванов'), THRESHOLDS).hits[0]).toMatchObject({
      reference: 'KPi.066',
      verdict: 'match',
    })
    expect(screenPerson(fixtureIndex, person('Abdulrahman', 'Khan'), THRESHOLDS).hits[0]).toMatchObject({
      reference: '9001',
      verdict: 'match',
    })
  })

  it('a contradicting birth date and nationality make a strong name a possible match, never clear', () => {
    const result = screenPerson(
      fixtureIndex,
      person('Mohammed Ali', 'Hussein', { datesOfBirth: ['1990-01-01'], nationalities: ['GBR'] }),
      THRESHOLDS,
    )
    expect(result.outcome).toBe('possible')
    expect(result.hits[0]).toMatchObject({ dateOfBirth: 'contradicts', nationality: 'contradicts' })
    expect(result.hits[0]?.nameScore).toBe(1)
    expect(result.hits[0]?.score).toBeCloseTo(0.65, 5)
  })

  it('a weak alias alone is a possible match at most', () => {
    const result = screenPerson(fixtureIndex, person('The', 'Engineer'), THRESHOLDS)
    expect(result.hits[0]).toMatchObject({ reference: 'KPi.066', weak: true, verdict: 'possible' })
  })

  it('is clear for names nobody listed, with the best score in the result', () => {
    for (const [given, family] of [
      ['Emma', 'Johnson'],
      ['Peter', 'Brown'],
      ['Anna', 'Schmidt'],
    ] as const) {
      const result = screenPerson(fixtureIndex, person(given, family), THRESHOLDS)
      expect(result.outcome, `${given} ${family}`).toBe('clear')
      expect(result.topScore).toBeLessThan(THRESHOLDS.review)
    }
  })

  it('screens people against individuals, not organisations or vessels', () => {
    expect(screenPerson(fixtureIndex, person('Ocean', 'Star'), THRESHOLDS).outcome).toBe('clear')
    expect(
      screenPerson(fixtureIndex, person('Green Pine', 'Associated Corporation'), THRESHOLDS).outcome,
    ).toBe('clear')
  })

  it('screens every name of the person; the worse counts', () => {
    const result = screenPerson(
      fixtureIndex,
      {
        names: [
          { source: 'registration', given: 'Emma', family: 'Johnson' },
          { source: 'document', given: 'Hassan', family: 'Nasrallah' },
        ],
        datesOfBirth: [],
        nationalities: [],
      },
      THRESHOLDS,
    )
    expect(result.hits[0]).toMatchObject({ reference: 'X-1', source: 'document', verdict: 'match' })
  })
})

// A synthetic list the size of SDN + UN primary names (about 20,000), seeded.
const seeded = (seed: number) => () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648
  return seed / 2_147_483_648
}
// Names drawn from pools as a real list repeats them (a few hundred given names, thousands of family names).
const ONSETS = 'b c d f g h j k l m n p r s t v w y z kh sh ch th dr st br al'.split(' ')
const NUCLEI = 'a e i o u ai ei ou ia'.split(' ')
const CODAS = ' n r s l m d v k sh'.split(' ')

describe('over 20,000 listed names', () => {
  const random = seeded(12)
  const pick = <T>(values: readonly T[]) => values[Math.floor(random() * values.length)] as T
  const syllable = () => `${pick(ONSETS)}${pick(NUCLEI)}${pick(CODAS)}`
  const newWord = () =>
    Array.from({ length: 2 + Math.floor(random() * 2) }, syllable)
      .join('')
      .replace(/^./, (first) => first.toUpperCase())
  const givenNames = Array.from({ length: 400 }, newWord)
  const familyNames = Array.from({ length: 6000 }, newWord)
  const entries: ListedEntry[] = Array.from({ length: 20_000 }, (_, at) => ({
    reference: String(at),
    kind: 'individual',
    name: `${pick(familyNames).toUpperCase()}, ${pick(givenNames)} ${random() < 0.5 ? pick(givenNames) : ''}`.trim(),
    aliases: [],
    datesOfBirth: [],
    nationalities: [],
    programs: [],
    line: at + 1,
  }))
  const index = indexOf({ synthetic: entries })
  // Queries: listed names with a typo or another order, and names not on the list.
  const queries = Array.from({ length: 40 }, (_, at) => {
    if (at % 2 === 1) return person(pick(givenNames), newWord())
    const listed = entries[Math.floor(random() * entries.length)] as ListedEntry
    const [family = '', given = ''] = listed.name.split(', ')
    const typo = family.length > 4 ? `${family.slice(0, 2)}${family.slice(3)}` : family
    return person(given, typo)
  })

  it('blocking finds the same best hit as comparing with every name (measured per query)', () => {
    const started = performance.now()
    const results = queries.map((query) => screenPerson(index, query, { alert: 0.8, review: 0.7 }))
    const perQuery = (performance.now() - started) / queries.length
    let agreed = 0
    let missed = 0
    for (const [at, query] of queries.entries()) {
      const forms = query.names.map((name) => joinedForms(personTokens(name.given, name.family)))
      const bruteForce = Math.max(
        ...index.names.map((name) => Math.max(...forms.map((form) => formsSimilarity(form, name.forms)))),
      )
      // Blocking may only miss names below the review threshold.
      if (bruteForce >= 0.7 && Math.abs((results[at]?.topScore ?? 0) - bruteForce) > 1e-10) missed++
      // Every listed name queried with a typo is found, as a hit.
      if (at % 2 === 0) expect(results[at]?.hits.length, `query ${at}`).toBeGreaterThan(0)
      if (Math.abs((results[at]?.topScore ?? 0) - bruteForce) < 1e-10) agreed++
    }
    console.info(
      `screening: ${perQuery.toFixed(2)} ms per query over ${index.names.length} names; top score as brute force for ${agreed}/${queries.length} queries, missed ${missed} at ≥ 0.70`,
    )
    expect(missed).toBe(0)
    expect(perQuery).toBeLessThan(50)
    // Scoring every name for the comparison is the slow part (about 3 s alone, much more under load).
  }, 120_000)
})
