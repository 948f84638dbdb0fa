import { afterAll, describe, expect, it } from 'vitest'
import { labelledCases } from '../../../test/accuracy/cases.ts'
import { analyzeSubmission, loadAnalyzers } from './analysis/analysis.ts'
import type { AnalysisInput } from './analysis/input.ts'
import { createAnalysisPool } from './analysis-pool.ts'

const jpeg = (bytes: Buffer) => ({ mediaType: 'image/jpeg', bytes: new Uint8Array(bytes) })
const pool = createAnalysisPool(2, 120_000)
afterAll(() => pool.close())

describe('the analysis pool', () => {
  it('splits a submission over two threads and finds what one run in one thread finds', async () => {
    const genuine = labelledCases(Date.now()).find((each) => each.id === 'genuine passport')
    const built = await genuine?.build()
    if (!built?.answer) throw new Error('no genuine passport case')
    const input: AnalysisInput = {
      documentType: 'passport',
      issuingCountry: 'GB',
      files: { document_front: jpeg(built.submission.front), selfie: jpeg(built.submission.selfie) },
      challenge: { steps: built.answer.steps, frames: built.answer.frames.map(jpeg) },
    }
    await pool.ready()
    const split = await pool.analyze(input)
    await loadAnalyzers()
    const whole = await analyzeSubmission(input)
    expect(split.failed).toBeUndefined()
    expect(Object.keys(split).sort()).toEqual(
      ['address', 'document', 'documentData', 'faces', 'mrz'].filter((key) => key in whole).sort(),
    )
    expect(split).toEqual(whole)
    expect(split.faces?.similarity).toBeGreaterThan(0.69)
  }, 180_000)
})
