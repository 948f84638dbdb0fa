import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { billPdf } from '../fixtures/address/bills.ts'
import { chromiumAvailable, launchChromium, seriousViolations } from '../helpers/browser.ts'
import { registerSandboxUser } from '../helpers/capture.ts'
import { type ConsoleHarness, consoleHarness } from '../helpers/console.ts'
import { eventually } from '../helpers/databases.ts'

/**
 * A proof of address uploaded as a PDF, seen by a reviewer in Chromium: its page arrives as a picture
 * the page's CSP lets in and the browser decodes, and the page stays axe-clean. The routes and their
 * audit are tested over HTTP on both dialects (test/integration/console-case-extras.test.ts); drawing
 * involves no database, so one dialect is enough here.
 */
describe.skipIf(!chromiumAvailable())('a PDF proof of address on the case page in Chromium', () => {
  let harness: ConsoleHarness
  let browser: Browser

  beforeAll(async () => {
    harness = await consoleHarness('sqlite')
    browser = await launchChromium()
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
    await harness?.close()
  })

  it('shows the bill as a picture of its page, never as the PDF', async () => {
    const { t } = harness
    // Proof of address is always asked in the us region.
    const bills = await t.createClient({ name: 'Bills', mode: 'sandbox', regions: ['us'] })
    const user = await registerSandboxUser(t, bills.client.clientKey, { lastName: 'Pending', region: 'us' })
    const bill = await billPdf({
      kind: 'utility',
      holder: {
        name: 'Test Pending',
        street: '1 Market Street',
        city: 'San Francisco, CA',
        postcode: '94105',
      },
      statementDate: new Date(t.clock.now()).toISOString().slice(0, 10),
    })
    const sessionId = await harness.harness.submit(
      user,
      {
        documentType: 'passport',
        issuingCountry: 'GB',
        front: harness.front,
        selfie: harness.selfie,
        proofOfAddress: bill,
      },
      undefined,
      bills.client.clientKey,
    )
    await eventually(async () => {
      const results = await user.database.db
        .selectFrom('check_result')
        .select('check_id')
        .where('session_id', '=', sessionId)
        .execute()
      expect(results.length).toBeGreaterThan(0)
    }, 30_000)

    const reviewer = await harness.createStaff('pdf-reviewer@example.com', 'reviewer')
    const { context, page } = await harness.signIn(browser, reviewer)
    await page.goto(`${harness.origin}/console/cases/${sessionId}`)
    const pictures = page.locator('.documents img[src*="/pages/"]')
    expect(await pictures.count()).toBe(1)
    expect(await pictures.first().getAttribute('alt')).toBe('Proof of address, page 1 of 1')
    await eventually(async () => {
      const size = await pictures
        .first()
        .evaluate((image) => [
          (image as HTMLImageElement).naturalWidth,
          (image as HTMLImageElement).naturalHeight,
        ])
      expect(size).toEqual([892, 1262])
    })
    const response = await page.request.get(`${harness.origin}${await pictures.first().getAttribute('src')}`)
    expect(response.headers()['content-type']).toBe('image/png')
    expect(await seriousViolations(page), 'axe on the case page').toEqual([])
    await context.close()
  }, 90_000)
})
