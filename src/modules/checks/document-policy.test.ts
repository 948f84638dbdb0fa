import { describe, expect, it } from 'vitest'
import type { CheckFinding } from './check.ts'
import { documentPolicy } from './document-policy.ts'
import { checkContext, passportData } from './test-context.ts'

const run = (options: Parameters<typeof checkContext>[0]) =>
  documentPolicy.run(checkContext(options)) as CheckFinding

describe('the document acceptance check', () => {
  it('passes a German passport chosen as such, the MRZ saying D for Germany', () => {
    expect(run({})).toMatchObject({
      outcome: 'pass',
      evidence: { documentSays: { issuingCountry: 'D', issuingCountryIso: 'DE' } },
    })
  })

  it('refuses a restricted country of residence or of issue for good', () => {
    expect(run({ residence: 'IR' })).toMatchObject({ outcome: 'fail', reason: 'RESTRICTED_COUNTRY' })
    expect(
      run({ issuingCountry: 'KP', documentData: passportData({ issuingCountry: 'PRK' }) }),
    ).toMatchObject({ outcome: 'fail', reason: 'RESTRICTED_COUNTRY' })
    expect(run({ policy: { restrictedCountries: ['DE'] } }), 'a client restriction').toMatchObject({
      outcome: 'fail',
      reason: 'RESTRICTED_COUNTRY',
    })
  })

  it('asks for another document when the type or the issuing country is not accepted', () => {
    expect(run({ policy: { documentTypes: ['id_card'] } })).toMatchObject({
      outcome: 'fail',
      reason: 'UNSUPPORTED_DOCUMENT',
    })
    expect(run({ policy: { issuingCountries: ['FR', 'GB'] } })).toMatchObject({
      outcome: 'fail',
      reason: 'COUNTRY_NOT_SUPPORTED',
    })
    expect(run({ policy: { issuingCountries: ['DE'] } }).outcome).toBe('pass')
  })

  it('sends a document that names another country than the one chosen to a person', () => {
    expect(run({ documentData: passportData({ issuingCountry: 'FRA' }) })).toMatchObject({
      outcome: 'inconclusive',
    })
    // A misread IRL must not refuse an Irish passport as Iranian: restricted only by what the user chose.
    const misread = run({ issuingCountry: 'IE', documentData: passportData({ issuingCountry: 'IRN' }) })
    expect(misread).toMatchObject({ outcome: 'inconclusive', reason: 'RESTRICTED_COUNTRY' })
    expect(run({ documentData: passportData({ issuingCountry: 'UNO' }) }), 'no country').toMatchObject({
      outcome: 'inconclusive',
    })
  })

  it('sends a document whose own type disagrees with the choice to a person', () => {
    expect(run({ documentType: 'id_card' }).outcome, 'a P code chosen as ID card').toBe('inconclusive')
    expect(
      run({ documentData: passportData({ format: 'TD1', documentCode: 'ID' }) }).outcome,
      'an ID card chosen as passport',
    ).toBe('inconclusive')
    expect(
      run({ documentType: 'id_card', documentData: passportData({ format: 'TD1', documentCode: 'ID' }) })
        .outcome,
    ).toBe('pass')
    const licence = passportData({
      format: 'AAMVA',
      source: 'pdf417',
      documentCode: null,
      issuingCountry: 'USA',
    })
    expect(
      run({ documentType: 'driving_licence', issuingCountry: 'US', documentData: licence }).outcome,
    ).toBe('pass')
    expect(run({ issuingCountry: 'US', documentData: licence }).outcome, 'licence as passport').toBe(
      'inconclusive',
    )
  })

  it('judges the choice alone when nothing was read off the document, and doubts a missing choice', () => {
    expect(run({ documentData: null }).outcome).toBe('pass')
    expect(run({ issuingCountry: null }).outcome).toBe('inconclusive')
    expect(run({ documentType: null }).outcome).toBe('inconclusive')
  })

  it('does not apply to sandbox submissions', () => {
    expect(documentPolicy.appliesTo(checkContext({ sandbox: true }))).toBe(false)
    expect(documentPolicy.appliesTo(checkContext({ documentData: null }))).toBe(true)
  })
})
