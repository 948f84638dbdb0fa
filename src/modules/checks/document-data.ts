import type { DocumentData } from './analysis/document-data.ts'
import type { Check, CheckFinding } from './check.ts'

/** Document types without an MRZ: a (US) driving licence carries a PDF417 barcode instead. */
const WITHOUT_MRZ = new Set(['driving_licence'])

const fieldsOf = (data: DocumentData) => ({
  source: data.source,
  format: data.format,
  documentCode: data.documentCode,
  documentNumber: data.documentNumber,
  issuingCountry: data.issuingCountry,
  nationality: data.nationality,
  surname: data.surname,
  givenNames: data.givenNames,
  dateOfBirth: data.dateOfBirth,
  expiryDate: data.expiryDate,
  sex: data.sex,
  checkDigits: data.checkDigits,
  invalidFields: data.invalidFields ?? [],
})

/**
 * The identity data was read off the document, and it holds together: an MRZ read with every check
 * digit valid and every field well formed passes. Nothing found or nothing readable asks for a new
 * photo. A check digit that still fails after the reader's repair is a sign of an altered document,
 * but also of a misread glyph: it rejects as tampering only when every glyph the failing check digit
 * covers was read clearly (well matched, well ahead of its runner-up, thresholds in configuration),
 * because a misread must never brand someone a fraudster; any doubt goes to a person.
 */
export const documentData: Check = {
  id: 'document-data',
  version: '1',
  kind: 'document',
  appliesTo: ({ sandbox, input }) => !sandbox && !WITHOUT_MRZ.has(input.documentType ?? ''),
  // The MRZ is on a passport's data page and on the back of identity cards and residence permits.
  feedback: {
    on: (slot, input) => slot === (input.documentType === 'passport' ? 'document_front' : 'document_back'),
    reads: ['mrz'],
  },
  run: ({ analysis, config }): CheckFinding => {
    const mrz = analysis.mrz
    const data = analysis.documentData
    const reading = mrz?.found
      ? {
          side: mrz.side,
          format: mrz.format,
          lines: mrz.lines,
          repairedLines: mrz.repairedLines,
          substitutions: mrz.substitutions,
          confidence: mrz.confidence,
          checkDigits: mrz.checkDigits,
          bandJpeg: mrz.bandJpeg,
        }
      : undefined
    if (!data) {
      if (!mrz) return { outcome: 'fail', reason: 'MEDIA_MISSING', evidence: { documentPhoto: false } }
      return { outcome: 'fail', reason: 'MRZ_UNREADABLE', evidence: { found: mrz.found, ...reading } }
    }
    const evidence = { ...fieldsOf(data), ...(reading ? { mrz: reading } : {}) }
    const failedDigits = data.checkDigits.filter((check) => !check.valid)
    if (failedDigits.length === 0) {
      // Check digits cover neither the names nor the codes: a glyph matched poorly may be misread there.
      const clearEnough =
        data.source !== 'mrz' || (mrz?.confidence?.minScore ?? 0) >= config.MRZ_PASS_MIN_SCORE
      return (data.invalidFields ?? []).length === 0 && clearEnough
        ? { outcome: 'pass', evidence }
        : { outcome: 'inconclusive', reason: 'MRZ_UNREADABLE', evidence }
    }
    // Every cell under every failing check digit read clearly, and the read as a whole is not garbage
    // (some check digit holds): the printed digits really disagree with the data.
    const clear =
      data.source === 'mrz' &&
      failedDigits.length < data.checkDigits.length &&
      failedDigits.every((failed) => {
        const cells = mrz?.checkDigits?.find((check) => check.field === failed.field)
        return (
          cells !== undefined &&
          cells.minScore >= config.MRZ_TAMPER_MIN_SCORE &&
          cells.minMargin >= config.MRZ_TAMPER_MIN_MARGIN
        )
      })
    return clear
      ? { outcome: 'fail', reason: 'DOCUMENT_TAMPERED', evidence }
      : { outcome: 'inconclusive', reason: 'MRZ_UNREADABLE', evidence }
  },
}
