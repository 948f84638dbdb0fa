import { describe, expect, it } from 'vitest'
import { labelledCases } from '../../../../test/accuracy/cases.ts'
import { CHECKS } from '../pipeline.ts'
import { analyzeSubmission, loadAnalyzers } from './analysis.ts'
import type { AnalysisInput } from './input.ts'

const jpeg = (bytes: Buffer) => ({ mediaType: 'image/jpeg', bytes: new Uint8Array(bytes) })

describe('analyzeSubmission', () => {
  it('runs only the analyzers asked for: an upload is analysed for the checks that judge it', async () => {
    await loadAnalyzers()
    const genuine = labelledCases(Date.now()).find((each) => each.id === 'genuine passport')
    const { submission } = (await genuine?.build()) ?? {}
    if (!submission?.front) throw new Error('no genuine passport case')
    const front: AnalysisInput = {
      documentType: 'passport',
      issuingCountry: 'GB',
      files: { document_front: jpeg(submission.front) },
    }
    const feedbackReads = CHECKS.filter((check) => check.feedback?.on('document_front', front)).flatMap(
      (check) => check.feedback?.reads ?? [],
    )
    expect(new Set(feedbackReads)).toEqual(new Set(['document', 'mrz']))

    const forFeedback = await analyzeSubmission({ ...front, analyzers: feedbackReads })
    expect(Object.keys(forFeedback).sort()).toEqual(['document', 'documentData', 'mrz'])
    // Without the list every analyzer runs, the portrait search of the faces analyzer among them.
    const whole = await analyzeSubmission(front)
    expect(whole.faces?.document?.portrait).not.toBeNull()
    expect(whole.mrz).toEqual(forFeedback.mrz)
  })
})
