import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { labelledCases } from '../accuracy/cases.ts'
import {
  chromiumAvailable,
  freePort,
  launchChromium,
  PHONE,
  screenshot,
  seriousViolations,
} from '../helpers/browser.ts'
import { startVerification } from '../helpers/capture.ts'
import { liveHarness } from '../helpers/live-submission.ts'

// A live client: its uploads get the fast checks' feedback while the user is on the page.
describe.skipIf(!chromiumAvailable())('feedback on a photo, in Chromium (phone viewport)', () => {
  let harness: Awaited<ReturnType<typeof liveHarness>>
  let browser: Browser
  beforeAll(async () => {
    const port = await freePort()
    harness = await liveHarness('sqlite', { env: { PUBLIC_URL: `http://127.0.0.1:${port}` } })
    await harness.t.app.listen({ host: '127.0.0.1', port })
    browser = await launchChromium()
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
    await harness?.close()
  })

  it('asks at once for a retake of a photo with no document, and goes on with a readable passport', async () => {
    const labelled = labelledCases(harness.t.clock.now()).find((each) => each.id === 'genuine passport')
    if (!labelled) throw new Error('no genuine passport case')
    const dir = harness.t.storage.dataDir
    const empty = join(dir, 'empty-table.jpg')
    await writeFile(
      empty,
      await sharp({ create: { width: 1600, height: 1200, channels: 3, background: '#604028' } })
        .jpeg()
        .toBuffer(),
    )
    const passport = join(dir, 'passport.jpg')
    await writeFile(passport, (await labelled.build()).submission.front)

    const user = await harness.registerPerson(labelled.person)
    const context = await browser.newContext(PHONE)
    const page = await context.newPage()
    await page.goto(await startVerification(harness.t, harness.live.client.clientKey, user))
    await page.getByRole('link', { name: 'Start' }).click()
    await page.getByLabel('I agree').check()
    await page.getByRole('button', { name: 'Continue' }).click()
    await page.getByLabel('Passport').check()
    await page.getByLabel('Country that issued it').selectOption('GB')
    await page.getByRole('button', { name: 'Continue' }).click()
    await page.waitForURL('**/verify/flow/front')

    await page.setInputFiles('#file', empty)
    await page.getByRole('button', { name: 'Upload' }).click()
    const alert = page.getByRole('alert')
    await expect.poll(() => alert.textContent(), { timeout: 20_000 }).toMatch(/document/i)
    expect(page.url()).toMatch(/\/verify\/flow\/front$/)
    expect(await seriousViolations(page)).toEqual([])
    await screenshot(page, 'feedback-retake')

    await page.setInputFiles('#file', passport)
    await page.getByRole('button', { name: 'Upload' }).click()
    await page.waitForURL('**/verify/flow/selfie', { timeout: 20_000 }).catch(async (error) => {
      throw new Error(`${error}: still at ${page.url()}, saying "${await alert.textContent()}"`)
    })
    await context.close()
  }, 120_000)
})
