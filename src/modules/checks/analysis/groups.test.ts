import { describe, expect, it } from 'vitest'
import { ANALYZER_GROUPS, ANALYZER_ORDER, mergeAnalyses } from './groups.ts'

const licenceData = { source: 'barcode' } as never
const mrzData = { source: 'mrz' } as never

describe('analyzer groups', () => {
  it('split every analyzer into exactly one group', () => {
    expect(ANALYZER_GROUPS.flat().sort()).toEqual([...ANALYZER_ORDER].sort())
  })
})

describe('mergeAnalyses', () => {
  it('keeps every part and every failure, and believes the earliest analyzer that read identity data', () => {
    const merged = mergeAnalyses([
      { faces: { similarity: 0.8 } as never, failed: 'faces: one' },
      {
        barcode: { documentData: licenceData } as never,
        mrz: { documentData: mrzData } as never,
        documentData: licenceData,
        failed: 'address: two',
      },
    ])
    expect(Object.keys(merged).sort()).toEqual(['barcode', 'documentData', 'faces', 'failed', 'mrz'])
    expect(merged.documentData).toBe(mrzData)
    expect(merged.failed).toBe('faces: one; address: two')
  })

  it('has no documentData or failure when no run had any', () => {
    expect(mergeAnalyses([{ faces: {} as never }, {}])).toEqual({ faces: {} })
  })
})
