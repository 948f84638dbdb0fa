import type { Check, CheckContext } from './check.ts'

/** US driving licences carry their holder's data in an AAMVA PDF417 on the back. */
export const isUsLicence = ({ input }: Pick<CheckContext, 'input'>) =>
  input.documentType === 'driving_licence' && input.issuingCountry === 'US'

/**
 * A US licence's barcode was read: decoded and parsed as AAMVA → pass, with the data it carries. No
 * back photo, or a barcode that cannot be decoded → a retryable failure asking for a sharper photo of
 * the back. A PDF417 that decodes but is not an AAMVA record is not something a new photo fixes: a
 * person looks.
 */
export const licenceBarcode: Check = {
  id: 'licence-barcode',
  version: '1',
  kind: 'document',
  appliesTo: (context) => !context.sandbox && isUsLicence(context),
  feedback: { on: (slot) => slot === 'document_back', reads: ['barcode'] },
  run: ({ input, analysis }) => {
    const part = analysis.barcode
    if (!input.files.document_back || !part) {
      return { outcome: 'fail', reason: 'MEDIA_MISSING', evidence: { back: 'missing' } }
    }
    const evidence = { decoded: part.decoded, parsed: part.parsed, rectified: part.rectified }
    if (!part.decoded) return { outcome: 'fail', reason: 'BARCODE_UNREADABLE', evidence }
    if (!part.parsed || !part.documentData) return { outcome: 'inconclusive', evidence }
    const data = part.documentData
    return {
      outcome: 'pass',
      evidence: {
        ...evidence,
        barcode: {
          documentNumber: data.documentNumber,
          surname: data.surname,
          givenNames: data.givenNames,
          dateOfBirth: data.dateOfBirth,
          expiryDate: data.expiryDate,
          sex: data.sex,
          issuingCountry: data.issuingCountry,
        },
      },
    }
  },
}
