import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { licenceData, photographedLicence } from '../../../../../test/fixtures/documents/licences.ts'
import { photograph } from '../../../../../test/fixtures/documents/photograph.ts'
import { renderLicenceBack } from '../../../../../test/fixtures/documents/render-licence.ts'
import { closeTesseract } from '../../../../lib/tesseract.ts'
import type { AnalysisInput, SubmittedFile } from '../input.ts'
import { barcodeAnalyzer } from './barcode-analyzer.ts'

const jpeg = (bytes: Buffer): SubmittedFile => ({ mediaType: 'image/jpeg', bytes: new Uint8Array(bytes) })

const usLicence = (files: AnalysisInput['files']): AnalysisInput => ({
  documentType: 'driving_licence',
  issuingCountry: 'US',
  files,
})

describe('barcode analyzer', () => {
  beforeAll(() => barcodeAnalyzer.load())
  afterAll(() => closeTesseract())

  it('decodes and parses the PDF417 of 12 licences photographed at 3–8°', async () => {
    for (let seed = 1; seed <= 12; seed++) {
      const { data, back } = await photographedLicence(seed)
      const part = await barcodeAnalyzer.analyze(usLicence({ document_back: jpeg(back.jpeg) }))
      expect({ seed, decoded: part?.decoded, rectified: part?.rectified }).toEqual({
        seed,
        decoded: true,
        rectified: true,
      })
      expect(part?.documentData).toMatchObject({
        source: 'pdf417',
        format: 'AAMVA',
        documentNumber: data.licenceNumber,
        surname: data.lastName.toUpperCase(),
        dateOfBirth: data.dateOfBirth,
        expiryDate: data.expiryDate,
        issuingCountry: 'USA',
        sex: data.sex,
      })
    }
  }, 120_000)

  it("reads the front's printed licence number and surname beside the barcode", async () => {
    const { data, front, back } = await photographedLicence(21)
    const part = await barcodeAnalyzer.analyze(
      usLicence({ document_front: jpeg(front.jpeg), document_back: jpeg(back.jpeg) }),
    )
    expect(part?.front?.text).toContain(data.licenceNumber)
    expect(part?.front?.text).toContain(data.lastName.toUpperCase())
  })

  it('reports a back whose barcode is too blurred to decode', async () => {
    const back = await photograph(await renderLicenceBack(licenceData(5)), {
      seed: 5,
      rotationDegrees: 4,
      blur: 6,
    })
    expect(await barcodeAnalyzer.analyze(usLicence({ document_back: jpeg(back.jpeg) }))).toMatchObject({
      decoded: false,
      parsed: false,
    })
  })

  it('says nothing about documents other than US licences', async () => {
    const { back } = await photographedLicence(2)
    expect(
      await barcodeAnalyzer.analyze({
        ...usLicence({ document_back: jpeg(back.jpeg) }),
        issuingCountry: 'CA',
      }),
    ).toBeUndefined()
    expect(
      await barcodeAnalyzer.analyze({
        ...usLicence({ document_back: jpeg(back.jpeg) }),
        documentType: 'passport',
      }),
    ).toBeUndefined()
  })
})
