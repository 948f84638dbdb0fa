import type { Check } from './check.ts'
import { isUsLicence } from './licence-barcode.ts'
import { otherNumberIn, presenceIn } from './licence-sides-match.ts'

/**
 * The front and back of a US licence belong together: the licence number and surname the barcode
 * carries are printed on the front. Both found → pass. The surname absent and another licence number
 * printed instead (same shape, three or more characters different) → the sides are of different
 * documents (a genuine barcode under another card is how altered licences are made): fail, not
 * retryable. Silence alone never rejects: OCR misses text (the portrait's noise pulled the mean word
 * confidence of a clean front to 55), so anything in between — one found and not the other, a near
 * miss, a front read poorly or not found — goes to a person, with what was read as evidence.
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
    const otherNumber =
      number.presence === 'absent' ? otherNumberIn(barcode.documentNumber ?? '', front.text) : null
    const evidence = {
      barcode: { documentNumber: barcode.documentNumber, surname: barcode.surname },
      front: {
        number: number.presence,
        surname: surname.presence,
        otherNumber,
        confidence: Math.round(front.confidence),
      },
      frontText: front.text,
    }
    if (number.presence === 'match' && surname.presence === 'match') return { outcome: 'pass', evidence }
    if (otherNumber !== null && surname.presence === 'absent') {
      return { outcome: 'fail', reason: 'DOCUMENT_SIDES_MISMATCH', evidence }
    }
    return { outcome: 'inconclusive', evidence }
  },
}
