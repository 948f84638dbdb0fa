import { describe, expect, it } from 'vitest'
import { comparisonOf } from './case-view.ts'

const evidence = (name: string, dateOfBirth: string) => ({
  registered: { firstName: 'Eleanor', lastName: 'Harrington', dateOfBirth: '1990-04-12' },
  document: { givenNames: 'ELEANOR', surname: 'HARINGTON', dateOfBirth: '1990-12-04' },
  name: { kind: name, score: 0.97 },
  dateOfBirth,
})

describe('comparisonOf', () => {
  it("marks each field with the identity check's own finding", () => {
    expect(comparisonOf(evidence('exact', 'same')).map((row) => row.same)).toEqual([true, true])
    expect(comparisonOf(evidence('mismatch', 'mismatch')).map((row) => row.same)).toEqual([false, false])
  })

  it('leaves a near miss to the person (neither the same nor a mismatch)', () => {
    const rows = comparisonOf(evidence('near_miss', 'near_miss'))
    expect(rows.map((row) => row.same)).toEqual([null, null])
    expect(rows[0]).toMatchObject({ registered: 'Eleanor Harrington', document: 'ELEANOR HARINGTON' })
  })

  it('shows nothing when no data was read off the document', () => {
    expect(comparisonOf(undefined)).toEqual([])
    expect(comparisonOf({ registered: { firstName: 'A' } })).toEqual([])
  })
})
