import { describe, expect, it } from 'vitest'
import type { CheckFinding } from './check.ts'
import { checkContext, NOW, passportData } from './test-context.ts'
import { validity } from './validity.ts'

const run = (options: Parameters<typeof checkContext>[0]) =>
  validity.run(checkContext(options)) as CheckFinding
const today = new Date(NOW).toISOString().slice(0, 10)

describe('the validity check', () => {
  it('passes a valid document of an adult, and one that expires today', () => {
    expect(run({})).toMatchObject({ outcome: 'pass', evidence: { age: 42, dateOfBirthFrom: 'document' } })
    expect(run({ documentData: passportData({ expiryDate: today }) }).outcome).toBe('pass')
  })

  it('asks for another document when it expired yesterday', () => {
    expect(run({ documentData: passportData({ expiryDate: '2026-12-01' }) })).toMatchObject({
      outcome: 'fail',
      reason: 'DOCUMENT_EXPIRED',
    })
  })

  it('refuses someone under the minimum age for good, even with an expired document', () => {
    // 18 on 3 December 2026: 17 on the day the checks run.
    const minor = passportData({ dateOfBirth: '2008-12-03', expiryDate: '2020-01-01' })
    expect(run({ documentData: minor })).toMatchObject({
      outcome: 'fail',
      reason: 'UNDERAGE',
      evidence: { age: 17 },
    })
    expect(run({ documentData: passportData({ dateOfBirth: '2008-12-02' }) }).outcome, '18 today').toBe(
      'pass',
    )
    expect(run({ policy: { minimumAge: 45 } })).toMatchObject({ outcome: 'fail', reason: 'UNDERAGE' })
  })

  it('takes the registered date of birth when the document has none', () => {
    expect(
      run({ documentData: passportData({ dateOfBirth: null }), dateOfBirth: '2010-05-05' }),
    ).toMatchObject({
      outcome: 'fail',
      reason: 'UNDERAGE',
      evidence: { dateOfBirthFrom: 'registration' },
    })
    expect(
      run({ documentData: passportData({ dateOfBirth: null }), dateOfBirth: null }),
      'no date anywhere',
    ).toMatchObject({ outcome: 'inconclusive', evidence: { dateOfBirthFrom: null } })
  })

  it('sends a document without an expiry date, or with an unreadable date, to a person', () => {
    expect(run({ documentData: passportData({ expiryDate: null }) })).toMatchObject({
      outcome: 'inconclusive',
      evidence: { expiry: 'none' },
    })
    expect(run({ documentData: passportData({ expiryDate: '2030-02-30' }) }).outcome).toBe('inconclusive')
    expect(run({ documentData: passportData({ dateOfBirth: '2030-01-01' }) }).outcome, 'born later').toBe(
      'inconclusive',
    )
  })

  it('does not apply without document data, nor to sandbox submissions', () => {
    expect(validity.appliesTo(checkContext({ documentData: null }))).toBe(false)
    expect(validity.appliesTo(checkContext({ sandbox: true }))).toBe(false)
    expect(validity.appliesTo(checkContext({}))).toBe(true)
  })
})
