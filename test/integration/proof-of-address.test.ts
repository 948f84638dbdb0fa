import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DAY_MS } from '../../src/lib/clock.ts'
import { closeTesseract } from '../../src/lib/tesseract.ts'
import { showCase } from '../../src/modules/review/index.ts'
import { submitSession } from '../../src/modules/verification/index.ts'
import { type Bill, billPdf } from '../fixtures/address/bills.ts'
import { buildTestApp, type TestApp } from '../helpers/app.ts'
import { type Fixtures, registerSandboxUser, startVerification, writeFixtures } from '../helpers/capture.ts'
import { eventually } from '../helpers/databases.ts'
import { DIALECTS } from '../helpers/dialects.ts'
import { flowClient, openLink } from '../helpers/sessions.ts'

/**
 * Proof of address from upload to stored result: a us user (proof of address is always asked there)
 * uploads a bill as a PDF through the hosted flow, the submission goes down the live path, the test
 * app's worker runs the check job, which reads the PDF and stores the proof-of-address result, sealed, for `verity review show`.
 */
describe.each(DIALECTS)('proof of address through the check job (%s)', (dialect) => {
  let t: TestApp
  let clientKey: string
  let fixtures: Fixtures

  beforeAll(async () => {
    t = await buildTestApp(dialect, { worker: true })
    clientKey = (await t.createClient({ name: 'address', mode: 'sandbox', regions: ['us'] })).client.clientKey
    fixtures = await writeFixtures(join(t.storage.dataDir, 'fixtures'))
  }, 60_000)
  afterAll(async () => {
    await closeTesseract()
    await t.close()
  })

  /** The ISO date `days` from the test clock's now. */
  const daysFromNow = (days: number) => new Date(t.clock.now() + days * DAY_MS).toISOString().slice(0, 10)

  // The helper registers us users at 1 Market St, San Francisco 94105.
  const billFor = (statementDate: string): Bill => ({
    kind: 'utility',
    holder: { name: 'Jane Doe', street: '1 Market Street', city: 'San Francisco, CA', postcode: '94105' },
    statementDate,
    dateOrder: 'month-first',
  })

  /** Uploads the documents and the bill, submits on the live path, and runs the check job. */
  const checked = async (bill: Bill) => {
    const user = await registerSandboxUser(t, clientKey, { firstName: 'Jane', lastName: 'Doe', region: 'us' })
    const url = await startVerification(t, clientKey, user)
    const browser = {}
    expect((await openLink(t.app, url, browser)).statusCode).toBe(303)
    const flow = flowClient(t.app, browser)
    await flow.form('consent', { csrf: await flow.token('consent'), consent: 'yes' })
    await flow.form('document', {
      csrf: await flow.token('document'),
      documentType: 'passport',
      issuingCountry: 'US',
    })
    for (const [step, fixture] of [
      ['front', 'front'],
      ['selfie', 'selfie'],
    ] as const)
      expect(
        (await flow.upload(step, await flow.token(step), await readFile(fixtures[fixture]))).statusCode,
      ).toBe(303)
    const uploaded = await flow.upload('address', await flow.token('address'), await billPdf(bill), {
      name: 'bill.pdf',
    })
    expect(uploaded.statusCode).toBe(303)
    const session = await user.database.db
      .selectFrom('verification_session')
      .select('id')
      .where('user_id', '=', user.id)
      .executeTakeFirstOrThrow()
    // A sandbox scenario would decide it unseen: the live path analyses the files.
    await submitSession(t.runtime, user.database, session.id, false)
    // The test app's worker runs the check job.
    await eventually(async () => {
      const job = await user.database.db
        .selectFrom('job')
        .select('status')
        .where('type', '=', 'verification.check')
        .where('payload', 'like', `%${session.id}%`)
        .executeTakeFirstOrThrow()
      expect(job.status).toBe('done')
    }, 30_000)
    const shown = await showCase(t.runtime, session.id)
    return shown.checks.find((result) => result.check === 'proof-of-address')
  }

  it('passes a recent bill for the registered name and address, with its text sealed as evidence', async () => {
    const result = await checked(billFor(daysFromNow(-20)))
    expect(result).toMatchObject({
      outcome: 'pass',
      reason: null,
      score: 1,
      evidence: {
        format: 'pdf',
        textLayer: true,
        dateOrder: 'month-first',
        statementDate: daysFromNow(-20),
        name: { found: true },
        street: { found: true },
        postcode: { found: true },
      },
    })
    expect(result?.evidence?.text).toContain('1 Market Street')
    const stored = await t.runtime.databases.byRegion.us.db
      .selectFrom('check_result')
      .select('evidence_sealed')
      .where('check_id', '=', 'proof-of-address')
      .execute()
    for (const row of stored) expect(row.evidence_sealed).not.toContain('Market')
  })

  it('fails a bill older than three months as retryable', async () => {
    const result = await checked(billFor(daysFromNow(-120)))
    expect(result).toMatchObject({ outcome: 'fail', reason: 'ADDRESS_DOCUMENT_TOO_OLD' })
  })
})
