import type { Check } from './check.ts'
import { isUsLicence } from './licence-barcode.ts'
import { presenceIn } from './licence-sides-match.ts'

/**
 * Below this mean word confidence (tesseract, 0–100) the front's text is too poor for its silence to
 * mean anything: values not found in it send the case to a person, never to a rejection. The
 * synthetic licences photographed at 3–8° read at 73–79.
 */
const READABLE_CONFIDENCE = 60

/**
 * The front and back of a US licence belong together: the licence number and surname the barcode
 * carries are printed on the front. Both found → pass. Neither found on a front that read well →
 * the sides are of different documents (a genuine barcode under another card is how altered licences
 * are made): fail, not retryable. Anything in between — one found and not the other, a near miss,
 * a front that read poorly or whose outline was not found — is the OCR's doubt as much as the
 * document's, so a person compares the two sides (inconclusive), with what was read as evidence.
 */
export const licenceSides: Check = {
  id: 'licence-sides',
  version: '1',
  kind: 'document',
  appliesTo: (context) =>
    !context.sandbox && isUsLicence(context) && context.analysis.barcode?.documentData !== undefined,
  run: ({ analysis }) => {
    const barcode = analysis.barcode?.documentData
    const front = analysis.barcode?.front
    if (!barcode || !front) return { outcome: 'inconclusive', evidence: { front: 'not read' } }
    const number = presenceIn(barcode.documentNumber ?? '', front.text)
    const surname = presenceIn(barcode.surname, front.text)
    const evidence = {
      barcode: { documentNumber: barcode.documentNumber, surname: barcode.surname },
      front: { number: number.presence, surname: surname.presence, confidence: Math.round(front.confidence) },
      frontText: front.text,
    }
    if (number.presence === 'match' && surname.presence === 'match') return { outcome: 'pass', evidence }
    if (number.presence === 'absent' && surname.presence === 'absent' && front.confidence >= READABLE_CONFIDENCE) {
      return { outcome: 'fail', reason: 'DOCUMENT_SIDES_MISMATCH', evidence }
    }
    return { outcome: 'inconclusive', evidence }
  },
}
