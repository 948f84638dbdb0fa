import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../config/config.ts'
import type { Analysis } from './analysis/analysis.ts'
import type { DocumentData } from './analysis/document-data.ts'
import type { MrzPart } from './analysis/mrz/analyzer.ts'
import type { CheckContext } from './check.ts'
import { documentData } from './document-data.ts'

const config = loadConfig({
  NODE_ENV: 'test',
  DATA_DIR: '/tmp/verity-unused',
  SERVER_SECRET: randomBytes(32).toString('base64'),
})

const DIGITS = ['documentNumber', 'birthDate', 'expirationDate', 'personalNumber', 'composite']

const data = (failing: string[] = [], extra: Partial<DocumentData> = {}): DocumentData => ({
  source: 'mrz',
  format: 'TD3',
  documentCode: 'P',
  documentNumber: 'AB1234567',
  issuingCountry: 'GBR',
  nationality: 'GBR',
  surname: 'DOE',
  givenNames: 'JANE',
  dateOfBirth: '1990-01-01',
  expiryDate: '2030-01-01',
  sex: 'female',
  checkDigits: DIGITS.map((field) => ({ field, valid: !failing.includes(field) })),
  invalidFields: [],
  ...extra,
})

const part = (
  failing: string[],
  glyphs: { minScore: number; minMargin: number },
  documentData?: DocumentData,
): MrzPart => ({
  found: true,
  side: 'document_front',
  format: 'TD3',
  lines: ['P<GBRDOE<<JANE', '…'],
  repairedLines: ['P<GBRDOE<<JANE', '…'],
  substitutions: [],
  confidence: { meanScore: 0.85, minScore: glyphs.minScore, minMargin: glyphs.minMargin },
  checkDigits: DIGITS.map((field) => ({ field, valid: !failing.includes(field), ...glyphs })),
  ...(documentData ? { documentData } : {}),
  bandJpeg: 'AAAA',
})

const context = (analysis: Analysis, overrides: Partial<CheckContext> = {}): CheckContext =>
  ({
    sandbox: false,
    config,
    input: { documentType: 'passport', issuingCountry: 'GB', files: {} },
    analysis,
    ...overrides,
  }) as CheckContext

const run = (analysis: Analysis) => documentData.run(context(analysis))

const clear = { minScore: 0.9, minMargin: 0.25 }
const doubtful = { minScore: 0.66, minMargin: 0.01 }

describe('document-data check', () => {
  it('passes an MRZ read with every check digit valid, with the fields and the band as evidence', async () => {
    const read = data()
    const finding = await run({ mrz: part([], clear, read), documentData: read })
    expect(finding.outcome).toBe('pass')
    expect(finding.evidence).toMatchObject({ documentNumber: 'AB1234567', mrz: { bandJpeg: 'AAAA' } })
  })

  it('asks for a new photo when no MRZ was found, or nothing parsable was read', async () => {
    expect(await run({ mrz: { found: false } })).toMatchObject({ outcome: 'fail', reason: 'MRZ_UNREADABLE' })
    expect(await run({ mrz: part(['composite'], doubtful) })).toMatchObject({
      outcome: 'fail',
      reason: 'MRZ_UNREADABLE',
    })
  })

  it('asks for the photo when the document photo is missing', async () => {
    expect(await run({})).toMatchObject({ outcome: 'fail', reason: 'MEDIA_MISSING' })
  })

  it('rejects as altered a check digit that fails on a clear read', async () => {
    const read = data(['birthDate', 'composite'])
    expect(
      await run({ mrz: part(['birthDate', 'composite'], clear, read), documentData: read }),
    ).toMatchObject({
      outcome: 'fail',
      reason: 'DOCUMENT_TAMPERED',
    })
  })

  it('sends a failing check digit on a doubtful read to a person, never rejecting it as fraud', async () => {
    const read = data(['documentNumber', 'composite'])
    expect(
      await run({ mrz: part(['documentNumber', 'composite'], doubtful, read), documentData: read }),
    ).toMatchObject({
      outcome: 'inconclusive',
      reason: 'MRZ_UNREADABLE',
    })
    // Nothing holds at all: the read is garbage, not evidence of tampering, however sure the glyphs.
    const garbage = data(DIGITS)
    expect(await run({ mrz: part(DIGITS, clear, garbage), documentData: garbage })).toMatchObject({
      outcome: 'inconclusive',
    })
  })

  it('sends valid check digits with a malformed field or a poorly matched glyph to a person', async () => {
    const malformed = data([], { invalidFields: ['issuingState'] })
    expect((await run({ mrz: part([], clear, malformed), documentData: malformed })).outcome).toBe(
      'inconclusive',
    )
    const read = data()
    expect(
      (await run({ mrz: part([], { minScore: 0.3, minMargin: 0.2 }, read), documentData: read })).outcome,
    ).toBe('inconclusive')
  })

  it('does not apply to sandbox submissions or documents without an MRZ', () => {
    expect(documentData.appliesTo(context({}, { sandbox: true }))).toBe(false)
    expect(
      documentData.appliesTo(
        context({}, { input: { documentType: 'driving_licence', issuingCountry: 'US', files: {} } }),
      ),
    ).toBe(false)
    expect(documentData.appliesTo(context({}))).toBe(true)
  })
})
