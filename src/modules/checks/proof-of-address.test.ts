import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type Bill,
  type BillHolder,
  billPdf,
  blankPdf,
  photographedBill,
  scannedBillPdf,
} from '../../../test/fixtures/address/bills.ts'
import { imageBomb } from '../../../test/fixtures/documents/pdf-bomb.ts'
import type { Databases, RegionDatabase } from '../../db/database.ts'
import type { SessionRow, UserRow } from '../../db/schema.ts'
import { closeTesseract } from '../../lib/tesseract.ts'
import type { Client } from '../clients/index.ts'
import { type AddressDocument, addressAnalyzer } from './analysis/address/address-analyzer.ts'
import type { SubmittedFile } from './analysis/input.ts'
import type { CheckContext, CheckFinding } from './check.ts'
import { monthsBefore, proofOfAddress } from './proof-of-address.ts'
import { decisionFrom, REQUIRED_KINDS } from './rules.ts'
import { CHECK_CONFIG, POLICY } from './test-context.ts'

// The checks run on 2 December 2026: anything issued before 2 September 2026 is too old.
const NOW = Date.parse('2026-12-02T10:00:00Z')
const CONFIG = CHECK_CONFIG

const JANE: BillHolder = { name: 'Jane Doe', street: '12 Baker Street', city: 'London', postcode: 'NW1 6XE' }
const MARIA: BillHolder = {
  name: 'María García',
  street: '350 Fifth Avenue Apt 5B',
  city: 'New York, NY',
  postcode: '10118',
}

const registered = (holder: BillHolder, country: string, street = holder.street): UserRow => {
  const [firstName, ...lastName] = holder.name.split(' ')
  // Only what the check reads: the registered name, address and country of residence.
  return {
    first_name: firstName,
    last_name: lastName.join(' '),
    address_line1: street,
    city: holder.city,
    zip: holder.postcode,
    country_of_residence: country,
  } as UserRow
}

const PDF = 'application/pdf'
const JPEG = 'image/jpeg'

const analyze = async (file: SubmittedFile) =>
  (await addressAnalyzer.analyze({
    documentType: null,
    issuingCountry: null,
    files: { proof_of_address: file },
  })) as AddressDocument

type Situation = {
  user?: UserRow
  file?: SubmittedFile
  document?: AddressDocument
  region?: 'intl' | 'us'
  requireProofOfAddress?: boolean
  sandbox?: boolean
}

const contextOf = (situation: Situation): CheckContext => ({
  session: {} as SessionRow,
  user: situation.user ?? registered(JANE, 'GB'),
  client: { status: 'active', requireProofOfAddress: situation.requireProofOfAddress ?? false } as Client,
  sandbox: situation.sandbox ?? false,
  input: {
    documentType: 'passport',
    issuingCountry: 'GB',
    files: situation.file ? { proof_of_address: situation.file } : {},
  },
  analysis: situation.document ? { address: situation.document } : {},
  now: NOW,
  database: { region: situation.region ?? 'intl' } as RegionDatabase,
  databases: {} as Databases,
  config: CONFIG,
  identity: null,
  policy: POLICY,
  keys: { identityFingerprints: Buffer.alloc(32, 7) },
})

/** Analyses the file with the real analyzer (unpdf, tesseract.js), then runs the check on it. */
const check = async (file: SubmittedFile, situation: Omit<Situation, 'file' | 'document'> = {}) => {
  const context = contextOf({ ...situation, file, document: await analyze(file) })
  expect(proofOfAddress.appliesTo(context)).toBe(true)
  return (await proofOfAddress.run(context)) as CheckFinding & { evidence: Record<string, unknown> }
}

const bill = (overrides: Partial<Bill> = {}): Bill => ({
  kind: 'utility',
  holder: JANE,
  statementDate: '2026-11-12',
  ...overrides,
})

const pdfOf = async (from: Bill | Promise<Buffer>) => ({
  mediaType: PDF,
  bytes: new Uint8Array(from instanceof Promise ? await from : await billPdf(from)),
})
const photoOf = async (from: Bill, options: Parameters<typeof photographedBill>[1] = {}) => ({
  mediaType: JPEG,
  bytes: new Uint8Array(await photographedBill(from, options)),
})

beforeAll(() => addressAnalyzer.load())
afterAll(() => closeTesseract())

describe('proof-of-address on a PDF with a text layer', () => {
  it('passes a recent utility bill and a recent bank statement for the registered name and address', async () => {
    for (const kind of ['utility', 'bank'] as const) {
      const finding = await check(await pdfOf(bill({ kind })))
      expect(finding, kind).toMatchObject({ outcome: 'pass', score: 1 })
      expect(finding.evidence, kind).toMatchObject({
        format: 'pdf',
        textLayer: true,
        ocr: false,
        statementDate: '2026-11-12',
        oldestAccepted: '2026-09-02',
        name: { found: true },
        street: { found: true },
        postcode: { found: true },
        city: { found: true },
      })
      // The payment due date and the overdraft review lie ahead: they are not the statement date.
      expect((finding.evidence.dates as { date: string }[]).map(({ date }) => date)).toContain(
        kind === 'utility' ? '2026-12-02' : '2026-12-22',
      )
      expect(finding.evidence.text).toContain('NW1 6XE')
    }
  })

  it('asks for a recent document when the statement is older than the configured months', async () => {
    const old = await pdfOf(bill({ statementDate: '2026-08-31' }))
    expect(await check(old)).toMatchObject({
      outcome: 'fail',
      reason: 'ADDRESS_DOCUMENT_TOO_OLD',
      evidence: { statementDate: '2026-08-31', oldestAccepted: '2026-09-02' },
    })
    const context = contextOf({ file: old, document: await analyze(old), user: registered(JANE, 'GB') })
    const sixMonths = { ...context, config: { ...CONFIG, ADDRESS_DOCUMENT_MAX_AGE_MONTHS: 6 } }
    expect((await proofOfAddress.run(sixMonths)).outcome).toBe('pass')
  })

  it('sends a bill for another address to a person', async () => {
    const finding = await check(await pdfOf(bill()), { user: registered(JANE, 'GB', '14 Baker Street') })
    expect(finding).toMatchObject({
      outcome: 'inconclusive',
      reason: 'ADDRESS_MISMATCH',
      evidence: { name: { found: true }, street: { found: false }, postcode: { found: true } },
    })
  })

  it('reads numeric dates the way the country of residence writes them', async () => {
    // 11/05/2026 on a US bill is 5 November; read day first it would be 11 May, months too old.
    const usBill = await pdfOf(
      bill({
        holder: MARIA,
        statementDate: '2026-11-05',
        dateOrder: 'month-first',
        numericStatementDate: true,
      }),
    )
    const asUs = await check(usBill, { user: registered(MARIA, 'US'), region: 'us' })
    expect(asUs).toMatchObject({
      outcome: 'pass',
      evidence: { dateOrder: 'month-first', statementDate: '2026-11-05' },
    })
    const asUk = await check(usBill, { user: registered(MARIA, 'GB') })
    expect(asUk).toMatchObject({ outcome: 'fail', reason: 'ADDRESS_DOCUMENT_TOO_OLD' })
  })

  it('asks for a dated document when none of its dates is a statement date', async () => {
    const file = await pdfOf(bill())
    const document = await analyze(file)
    const undated = {
      ...document,
      dates: document.dates.filter((date) => (date.dayFirst ?? '') > '2026-12-03'),
    }
    expect(await proofOfAddress.run(contextOf({ file, document: undated }))).toMatchObject({
      outcome: 'fail',
      reason: 'ADDRESS_DOCUMENT_UNDATED',
    })
  })

  it('fails a damaged PDF as unreadable (another upload can fix it)', async () => {
    const finding = await check({ mediaType: PDF, bytes: new TextEncoder().encode('%PDF-1.7\n1 0 obj <<') })
    expect(finding).toMatchObject({
      outcome: 'fail',
      reason: 'ADDRESS_DOCUMENT_UNREADABLE',
      evidence: { format: 'pdf' },
    })
  })

  it('fails a PDF too large in memory to read as unreadable, never passing it', async () => {
    const finding = await check({ mediaType: PDF, bytes: new Uint8Array(imageBomb(40)) })
    expect(finding).toMatchObject({
      outcome: 'fail',
      reason: 'ADDRESS_DOCUMENT_UNREADABLE',
      evidence: { format: 'pdf' },
    })
  }, 60_000)

  it('sends a PDF with no text and no picture to a person', async () => {
    const finding = await check(await pdfOf(blankPdf()))
    expect(finding).toMatchObject({
      outcome: 'inconclusive',
      reason: 'ADDRESS_DOCUMENT_NO_TEXT',
      evidence: { format: 'pdf', textLayer: false, ocr: false },
    })
  })
})

describe('proof-of-address read by OCR', () => {
  it('passes a photographed bill, and reads a scanned PDF (no text layer) like a photo', async () => {
    const photo = await check(await photoOf(bill()))
    expect(photo).toMatchObject({
      outcome: 'pass',
      evidence: { format: 'image', ocr: true, statementDate: '2026-11-12' },
    })
    expect(photo.evidence.confidence).toBeGreaterThanOrEqual(CONFIG.ADDRESS_OCR_MIN_CONFIDENCE)
    const scan = await check(await pdfOf(scannedBillPdf(bill({ kind: 'bank' }))))
    expect(scan).toMatchObject({
      outcome: 'pass',
      evidence: { format: 'pdf', textLayer: false, ocr: true, statementDate: '2026-11-12' },
    })
  })

  it('asks for a recent document when the photographed bill is old', async () => {
    const finding = await check(
      await photoOf(bill({ statementDate: '2026-07-15' }), { seed: 11, rotationDegrees: -4 }),
    )
    expect(finding).toMatchObject({
      outcome: 'fail',
      reason: 'ADDRESS_DOCUMENT_TOO_OLD',
      evidence: { statementDate: '2026-07-15' },
    })
  })

  it("sends someone else's bill to a person", async () => {
    const other = { ...JANE, name: 'Sarah Connor' }
    const finding = await check(await photoOf(bill({ holder: other }), { seed: 21 }))
    expect(finding).toMatchObject({
      outcome: 'inconclusive',
      reason: 'ADDRESS_MISMATCH',
      evidence: { name: { found: false }, street: { found: true }, postcode: { found: true } },
    })
  })

  it('asks for a sharper photo when OCR cannot read it', async () => {
    const finding = await check(await photoOf(bill(), { seed: 13, blur: 3 }))
    expect(finding).toMatchObject({
      outcome: 'fail',
      reason: 'ADDRESS_DOCUMENT_UNREADABLE',
      evidence: { format: 'image' },
    })
    expect(finding.evidence.confidence).toBeLessThan(CONFIG.ADDRESS_OCR_MIN_CONFIDENCE)
  })

  it('fails bytes that are no image as unreadable', async () => {
    expect(await check({ mediaType: JPEG, bytes: new TextEncoder().encode('not a photo') })).toMatchObject({
      outcome: 'fail',
      reason: 'ADDRESS_DOCUMENT_UNREADABLE',
    })
  })
})

describe('when proof-of-address applies', () => {
  it('applies to a live submission with a proof of address, never to a sandbox one', () => {
    const file = { mediaType: PDF, bytes: new Uint8Array() }
    expect(proofOfAddress.appliesTo(contextOf({ file }))).toBe(true)
    expect(proofOfAddress.appliesTo(contextOf({ file, sandbox: true }))).toBe(false)
    expect(proofOfAddress.appliesTo(contextOf({}))).toBe(false)
  })

  it('sends a submission that needed a proof of address and has none to a person', async () => {
    for (const situation of [{ region: 'us' as const }, { requireProofOfAddress: true }]) {
      const context = contextOf(situation)
      expect(proofOfAddress.appliesTo(context)).toBe(true)
      expect(await proofOfAddress.run(context)).toMatchObject({
        outcome: 'inconclusive',
        reason: 'MEDIA_MISSING',
      })
    }
  })

  it('never lets an address failure be approved: too old asks for new evidence, a mismatch goes to a person', () => {
    const account = {
      id: 'account-standing',
      version: '1',
      kind: 'account' as const,
      outcome: 'pass' as const,
    }
    const address = { id: proofOfAddress.id, version: proofOfAddress.version, kind: 'address' as const }
    const tooOld = [
      account,
      { ...address, outcome: 'fail' as const, reason: 'ADDRESS_DOCUMENT_TOO_OLD' as const },
    ]
    expect(decisionFrom(tooOld, REQUIRED_KINDS.live).decision.outcome).toBe('resubmission_required')
    const mismatch = [
      account,
      { ...address, outcome: 'inconclusive' as const, reason: 'ADDRESS_MISMATCH' as const },
    ]
    expect(decisionFrom(mismatch, REQUIRED_KINDS.live).decision.outcome).toBe('review')
  })
})

describe('monthsBefore', () => {
  it('goes back calendar months, ending on the shorter month’s last day', () => {
    expect(monthsBefore('2026-12-02', 3)).toBe('2026-09-02')
    expect(monthsBefore('2026-12-31', 3)).toBe('2026-09-30')
    expect(monthsBefore('2026-05-31', 3)).toBe('2026-02-28')
    expect(monthsBefore('2026-02-15', 3)).toBe('2025-11-15')
  })
})
