import { describe, expect, it } from 'vitest'
import { type CaseResult, runLabelledCases } from './run-cases.ts'

/**
 * Every labelled fixture decided as labelled, end to end with the real models, OCR and barcode reader
 * (no stubs): registration, the hosted flow with its challenge, the worker's analysis and checks.
 * SQLite only: the checks read the same data on both dialects, and each case costs seconds of CPU.
 */
describe('the labelled cases, decided end to end (sqlite)', () => {
  it('decides every case as labelled, and approves none that should not be approved', async () => {
    const results: CaseResult[] = await runLabelledCases('sqlite')
    const wrongly = results.filter((result) => result.outcome === 'approved' && result.label !== 'approved')
    expect(wrongly, 'false accepts').toEqual([])
    for (const result of results) {
      expect({ id: result.id, outcome: result.outcome }, JSON.stringify(result.checks)).toEqual({
        id: result.id,
        outcome: result.label,
      })
      expect(result.reasons, result.id).toEqual(expect.arrayContaining(result.expectedReasons))
    }
  }, 900_000)
})
