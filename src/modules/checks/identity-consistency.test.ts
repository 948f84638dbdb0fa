import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { testContext, testDocument, testUser } from './check-context.fixture.ts'
import { compareDates, identityConsistency } from './identity-consistency.ts'

const run = (overrides: Parameters<typeof testContext>[0]) => identityConsistency.run(testContext(overrides))

const withDocument = (document: Parameters<typeof testDocument>[0]) => ({
  analysis: { documentData: testDocument(document) },
})

describe('identity consistency', () => {
  it('passes the same name and date of birth, whatever the case and accents', async () => {
    const user = testUser({ first_name: 'María José', last_name: 'García' })
    const finding = await run({ user, ...withDocument({ givenNames: 'MARIA JOSE', surname: 'GARCIA' }) })
    expect(finding).toMatchObject({ outcome: 'pass', score: 1, evidence: { name: { kind: 'exact' } } })
  })

  it('passes middle names or a second surname written on one side only', async () => {
    const finding = await run(withDocument({ givenNames: 'MARIA JOSE', surname: 'GARCIA LOPEZ' }))
    expect(finding).toMatchObject({ outcome: 'pass', evidence: { name: { kind: 'missing_names' } } })
  })

  it('sends a near miss of the name to a person', async () => {
    const finding = await run(withDocument({ givenNames: 'MARIA', surname: 'GARCYA' }))
    expect(finding).toMatchObject({ outcome: 'inconclusive', reason: 'NAME_NEAR_MISS' })
  })

  it('declines another name', async () => {
    const finding = await run(withDocument({ givenNames: 'PETER', surname: 'BROWN' }))
    expect(finding).toMatchObject({ outcome: 'fail', reason: 'NAME_MISMATCH' })
  })

  it.each([
    ['day and month swapped', '1990-12-05', 'inconclusive', 'DOB_NEAR_MISS'],
    ['one digit off', '1991-05-12', 'inconclusive', 'DOB_NEAR_MISS'],
    ['another date', '1985-02-01', 'fail', 'DOB_MISMATCH'],
  ])('a date of birth with %s → %s', async (_case, dateOfBirth, outcome, reason) =>
    expect(await run(withDocument({ dateOfBirth }))).toMatchObject({ outcome, reason }),
  )

  it('the name decides the reason when both are as bad', async () => {
    const finding = await run(
      withDocument({ surname: 'BROWN', givenNames: 'PETER', dateOfBirth: '1970-01-01' }),
    )
    expect(finding).toMatchObject({ outcome: 'fail', reason: 'NAME_MISMATCH' })
  })

  it('compares with the identity frozen at submission, not the user row', async () => {
    const identity = {
      firstName: 'Peter',
      lastName: 'Brown',
      dateOfBirth: '1970-01-01',
      countryOfNationality: 'GB',
      countryOfResidence: 'GB',
      ssnLast4: null,
      address: null,
    }
    const finding = await run({
      identity: { snapshot: identity, ssn: null, ssnAsSubmitted: true },
      ...withDocument({ givenNames: 'PETER', surname: 'BROWN', dateOfBirth: '1970-01-01' }),
    })
    expect(finding).toMatchObject({ outcome: 'pass', evidence: { registered: { lastName: 'Brown' } } })
  })

  it('goes to a person when a side has no date of birth', async () => {
    expect(await run(withDocument({ dateOfBirth: null }))).toMatchObject({ outcome: 'inconclusive' })
  })

  it('does not apply without document data, nor to sandbox submissions', () => {
    expect(identityConsistency.appliesTo(testContext({ analysis: {} }))).toBe(false)
    expect(identityConsistency.appliesTo(testContext({ sandbox: true }))).toBe(false)
    expect(identityConsistency.appliesTo(testContext())).toBe(true)
  })
})

describe('compareDates', () => {
  const isoDate = fc
    .date({ min: new Date('1900-01-01'), max: new Date('2030-12-31'), noInvalidDate: true })
    .map((date) => date.toISOString().slice(0, 10))

  it('a date is the same as itself, and near or far from any other, both ways', () =>
    fc.assert(
      fc.property(isoDate, isoDate, (a, b) => {
        expect(compareDates(a, a)).toBe('same')
        expect(compareDates(a, b)).toBe(compareDates(b, a))
      }),
    ))
})
