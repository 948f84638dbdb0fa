import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { caseEvidence } from './evidence-export.ts'

const crop = Buffer.from('a face').toString('base64')

describe('caseEvidence', () => {
  it('keeps every finding and puts each picture as its SHA-256', () => {
    const evidence = caseEvidence({
      shown: {
        sessionId: 'ses_1',
        region: 'intl',
        clientId: 'cli_1',
        userId: 'u1',
        status: 'submitted',
        outcome: 'approved',
        submittedAt: '2026-12-03T10:00:00.000Z',
        decidedAt: '2026-12-03T10:05:00.000Z',
        reasons: [],
        reviews: [],
        checks: [
          {
            check: 'face-match',
            version: '1',
            outcome: 'pass',
            reason: null,
            score: 0.8,
            evidence: { similarity: 0.8, selfieCrop: crop, frames: [{ crop }] },
            at: null,
          },
        ],
      } as never,
      documents: [],
      audit: [],
      chain: { ok: true, entries: 3, tip: { sequence: 3, hash: 'ab' } },
      exportedAt: '2026-12-03T11:00:00.000Z',
      exportedBy: { staffId: 'stf_1', email: 'auditor@example.com' },
    })
    const sha256 = createHash('sha256').update('a face').digest('hex')
    expect(evidence.checks[0]?.evidence).toEqual({
      similarity: 0.8,
      selfieCrop: { sha256 },
      frames: [{ crop: { sha256 } }],
    })
    expect(JSON.stringify(evidence)).not.toContain(crop)
    expect(evidence.auditChain).toMatchObject({ ok: true })
  })
})
