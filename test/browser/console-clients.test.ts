import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromiumAvailable, launchChromium, screenshot, seriousViolations } from '../helpers/browser.ts'
import { type ConsoleHarness, consoleHarness } from '../helpers/console.ts'
import { eventually } from '../helpers/databases.ts'
import { DIALECTS } from '../helpers/dialects.ts'
import { management, startReceiver } from '../helpers/webhooks.ts'

/**
 * Client and webhook administration in the console (issue #13 item 7) in Chromium: an admin creates a
 * client and sees its secret once, edits its settings, and sends a test event to its webhook endpoint,
 * whose delivery shows in the log; a reviewer is shown the 403 page. Every page is axe-clean.
 */
describe.skipIf(!chromiumAvailable()).each(DIALECTS)('client admin in the console (%s)', (dialect) => {
  let harness: ConsoleHarness
  let browser: Browser
  let receiver: Awaited<ReturnType<typeof startReceiver>>

  beforeAll(async () => {
    harness = await consoleHarness(dialect)
    browser = await launchChromium()
    receiver = await startReceiver()
  }, 120_000)
  afterAll(async () => {
    await receiver?.close()
    await browser?.close()
    await harness?.close()
  })

  it('an admin creates a client (secret shown once), edits it and tests its webhook; a reviewer gets 403', async () => {
    const { origin, t, createStaff } = harness
    const admin = await createStaff('admin@example.com', 'admin')
    const { context, page } = await harness.signIn(browser, admin)
    await page.getByRole('link', { name: 'Clients' }).click()
    await page.waitForURL(`${origin}/console/clients`)
    expect(await seriousViolations(page)).toEqual([])

    await page.getByLabel('Name').fill('Harbour Wallet')
    await page.getByLabel('us', { exact: true }).check()
    await page.getByLabel('OAuth redirect URIs, one per line').fill('https://harbour.example.com/cb')
    await page.getByRole('button', { name: 'Create client' }).click()
    const secretKey = (await page.locator('#secret-key').textContent()) as string
    expect(secretKey).toMatch(/^vsk_test_/)
    expect(await seriousViolations(page)).toEqual([])
    const clientKey = (await page
      .getByRole('row', { name: /x-client-key/ })
      .locator('code')
      .textContent()) as string

    // Its endpoint, as the client would add it through the API.
    const hook = await management(t.app, clientKey, secretKey).create({
      name: 'backend',
      url: receiver.url,
      event_types: ['*'],
      is_active: true,
    })
    await page.getByRole('link', { name: "Go to the client's settings" }).click()
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Client Harbour Wallet')
    expect(await page.content()).not.toContain(secretKey)
    await page
      .getByLabel('Return URL offered on the last hosted page (empty: none)')
      .fill('https://harbour.example.com/done')
    await page.getByRole('button', { name: 'Save settings' }).click()
    expect(await page.getByRole('status').textContent()).toBe('Settings saved.')
    expect(
      await page.getByLabel('Return URL offered on the last hosted page (empty: none)').inputValue(),
    ).toBe('https://harbour.example.com/done')

    await page.getByLabel('Region', { exact: true }).selectOption('us')
    await page.getByRole('button', { name: 'Send test event to backend' }).click()
    expect(await page.getByRole('status').textContent()).toContain('Test event queued')
    await eventually(
      () => expect(receiver.deliveries.some((each) => each.body.includes(hook.id))).toBe(true),
      15_000,
    )
    await eventually(async () => {
      await page.reload()
      expect(
        await page.getByRole('table', { name: 'Delivery attempts, newest first' }).textContent(),
      ).toContain('webhook.test')
    })
    expect(await seriousViolations(page)).toEqual([])
    if (dialect === 'sqlite') await screenshot(page, 'console-client')
    await context.close()

    const reviewer = await createStaff('reviewer@example.com', 'reviewer')
    const other = await harness.signIn(browser, reviewer)
    expect(await other.page.getByRole('link', { name: 'Clients' }).count()).toBe(0)
    const refused = await other.page.goto(`${origin}/console/clients`)
    expect(refused?.status()).toBe(403)
    expect(await other.page.getByRole('heading', { level: 1 }).textContent()).toBe('Not allowed')
    await other.context.close()
  }, 180_000)
})
