import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { licenceData, photographedLicence, portrait } from '../../../test/fixtures/documents/licences.ts'
import { photograph } from '../../../test/fixtures/documents/photograph.ts'
import { renderLicenceFront } from '../../../test/fixtures/documents/render-licence.ts'
import { defaultCheckConfig } from '../../../test/helpers/check-config.ts'
import { closeTesseract } from '../../lib/tesseract.ts'
import { type Analysis, analyzeSubmission, loadAnalyzers } from './analysis/analysis.ts'
import type { DocumentData } from './analysis/document-data.ts'
import type { AnalysisInput, SubmittedFile } from './analysis/input.ts'
import type { CheckContext } from './check.ts'
import { imageUsability } from './image-usability.ts'
import { licenceBarcode } from './licence-barcode.ts'
import { licenceSides } from './licence-sides.ts'
import { runChecks } from './pipeline.ts'

const config = defaultCheckConfig()
const jpeg = (bytes: Buffer): SubmittedFile => ({ mediaType: 'image/jpeg', bytes: new Uint8Array(bytes) })

/** The parts of a check context these checks read; the rest is the job's. */
const contextFor = (input: AnalysisInput, analysis: Analysis, sandbox = false) =>
  ({ input, analysis, config, sandbox }) as unknown as CheckContext

const usLicence = (files: AnalysisInput['files']): AnalysisInput => ({
  documentType: 'driving_licence',
  issuingCountry: 'US',
  files,
})

const outcomes = async (input: AnalysisInput) => {
  const analysis = await analyzeSubmission(input)
  const context = contextFor(input, analysis)
  const results = await runChecks(context, [imageUsability, licenceBarcode, licenceSides])
  return Object.fromEntries(results.map((result) => [result.id, [result.outcome, result.reason ?? null]]))
}

describe('US licence checks on the real analysis', () => {
  beforeAll(() => loadAnalyzers())
  afterAll(() => closeTesseract())

  it('passes a genuine licence photographed front and back', async () => {
    const { front, back } = await photographedLicence(31)
    expect(
      await outcomes(usLicence({ document_front: jpeg(front.jpeg), document_back: jpeg(back.jpeg) })),
    ).toEqual({
      'image-usability': ['pass', null],
      'licence-barcode': ['pass', null],
      'licence-sides': ['pass', null],
    })
  })

  it("rejects the front of one person's licence with the back of another's", async () => {
    const { back } = await photographedLicence(32)
    const other = { ...licenceData(33), lastName: 'Whitfield', licenceNumber: 'K1902648' }
    const front = await photograph(await renderLicenceFront(other, await portrait(33)), {
      seed: 33,
      rotationDegrees: 4,
      blur: 0.7,
    })
    expect(
      await outcomes(usLicence({ document_front: jpeg(front.jpeg), document_back: jpeg(back.jpeg) })),
    ).toMatchObject({
      'licence-sides': ['fail', 'DOCUMENT_SIDES_MISMATCH'],
    })
  })

  it('sends a front that shares the number but not the surname to a person', async () => {
    const data = licenceData(34)
    const { back } = await photographedLicence(34)
    const renamed = { ...data, lastName: 'Castellanos' }
    const front = await photograph(await renderLicenceFront(renamed, await portrait(34)), {
      seed: 34,
      rotationDegrees: -5,
      blur: 0.7,
    })
    expect(
      await outcomes(usLicence({ document_front: jpeg(front.jpeg), document_back: jpeg(back.jpeg) })),
    ).toMatchObject({
      'licence-sides': ['inconclusive', null],
    })
  })

  it('asks for a new photo of the back when its barcode cannot be read, and for the back when it is missing', async () => {
    const { front, back } = await photographedLicence(35)
    const blurredBack = await photograph(
      await (await import('../../../test/fixtures/documents/render-licence.ts')).renderLicenceBack(
        licenceData(35),
      ),
      { seed: 35, rotationDegrees: 4, blur: 6 },
    )
    expect(
      await outcomes(usLicence({ document_front: jpeg(front.jpeg), document_back: jpeg(blurredBack.jpeg) })),
    ).toMatchObject({
      'image-usability': ['fail', 'IMAGE_BLURRY'],
      'licence-barcode': ['fail', 'BARCODE_UNREADABLE'],
    })
    expect(await outcomes(usLicence({ document_front: jpeg(front.jpeg) }))).toMatchObject({
      'image-usability': ['pass', null],
      'licence-barcode': ['fail', 'MEDIA_MISSING'],
    })
    expect(back.jpeg.length).toBeGreaterThan(0)
  })
})

describe('which submissions these checks look at', () => {
  const analysis = {} as Analysis
  it('leaves sandbox submissions, other documents and other countries alone', () => {
    const licence = usLicence({})
    expect(licenceBarcode.appliesTo(contextFor(licence, analysis))).toBe(true)
    expect(licenceBarcode.appliesTo(contextFor(licence, analysis, true))).toBe(false)
    expect(licenceBarcode.appliesTo(contextFor({ ...licence, issuingCountry: 'GB' }, analysis))).toBe(false)
    expect(licenceBarcode.appliesTo(contextFor({ ...licence, documentType: 'passport' }, analysis))).toBe(
      false,
    )
    expect(imageUsability.appliesTo(contextFor(licence, analysis))).toBe(false)
  })

  it('sends a barcode that is not an AAMVA record to a person', () => {
    const context = contextFor(usLicence({ document_back: jpeg(Buffer.from([0xff, 0xd8])) }), {
      barcode: { decoded: true, parsed: false, rectified: true },
    })
    expect(licenceBarcode.run(context)).toMatchObject({ outcome: 'inconclusive' })
  })

  it('sends a licence whose front could not be read to a person', () => {
    const documentData: DocumentData = {
      source: 'pdf417',
      format: 'AAMVA',
      documentCode: 'DL',
      documentNumber: 'D4827351',
      issuingCountry: 'USA',
      nationality: null,
      surname: 'HERNANDEZ',
      givenNames: 'MARIA',
      dateOfBirth: '1988-04-17',
      expiryDate: '2030-04-17',
      sex: 'female',
      checkDigits: [],
    }
    const base = { decoded: true, parsed: true, rectified: true, documentData }
    const input = usLicence({})
    expect(licenceSides.run(contextFor(input, { barcode: base }))).toMatchObject({ outcome: 'inconclusive' })
    const garbled = { ...base, front: { text: 'XQ7 ##', confidence: 31 } }
    expect(licenceSides.run(contextFor(input, { barcode: garbled }))).toMatchObject({
      outcome: 'inconclusive',
    })
  })
})
