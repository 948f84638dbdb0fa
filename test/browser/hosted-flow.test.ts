import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../helpers/app.ts'
import {
  chromiumAvailable,
  freePort,
  launchChromium,
  PHONE,
  screenshot,
  seriousViolations,
} from '../helpers/browser.ts'
import {
  currentUser,
  type Fixtures,
  registerSandboxUser,
  startVerification,
  writeFixtures,
} from '../helpers/capture.ts'
import { eventually } from '../helpers/databases.ts'

// One dialect is enough here: the pages run the same service code the HTTP tests run on both.
describe.skipIf(!chromiumAvailable())('hosted verification flow in Chromium (phone viewport)', () => {
  let t: TestApp
  let browser: Browser
  let sandbox: Awaited<ReturnType<TestApp['createClient']>>
  let fixtures: Fixtures

  beforeAll(async () => {
    const port = await freePort()
    t = await buildTestApp('sqlite', { worker: true, env: { PUBLIC_URL: `http://127.0.0.1:${port}` } })
    await t.app.listen({ host: '127.0.0.1', port })
    sandbox = await t.createClient({ name: 'Acme Wallet', mode: 'sandbox', regions: ['intl', 'us'] })
    fixtures = await writeFixtures(join(t.storage.dataDir, 'fixtures'))
    browser = await launchChromium()
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await t?.close()
  })

  const newPhone = () => browser.newContext(PHONE)

  /** Checks a page for accessibility problems and saves its screenshot. */
  const check = async (page: Page, name: string | undefined) => {
    expect(await seriousViolations(page), `axe on ${page.url()}`).toEqual([])
    if (name) await screenshot(page, name)
  }

  const consentAndPassport = async (page: Page, shots: boolean) => {
    await page.getByRole('link', { name: 'Start' }).click()
    await page.waitForURL('**/verify/flow/consent')
    expect(await page.title()).toBe('Your consent – Identity verification')
    await check(page, shots ? '02-consent' : undefined)
    await page.getByLabel('I agree').check()
    await page.getByRole('button', { name: 'Continue' }).click()
    await page.waitForURL('**/verify/flow/document')
    await page.getByLabel('Passport').check()
    await page.getByLabel('Country that issued it').selectOption('GB')
    await check(page, shots ? '03-document' : undefined)
    await page.getByRole('button', { name: 'Continue' }).click()
    await page.waitForURL('**/verify/flow/front')
  }

  it('takes a Test Approved user through every step to VERIFIED; the status page follows without a reload', async () => {
    const user = await registerSandboxUser(t, sandbox.client.clientKey, { lastName: 'Approved' })
    const sessionUrl = await startVerification(t, sandbox.client.clientKey, user)
    const context = await newPhone()
    const page = await context.newPage()
    await page.goto(sessionUrl)
    await page.waitForURL(/\/verify$/)
    // The token is gone from the address bar after the first open.
    expect(page.url()).not.toContain(new URL(sessionUrl).pathname)
    await check(page, '01-intro')
    await consentAndPassport(page, true)

    await check(page, '04-front')
    await page.setInputFiles('#file', fixtures.front)
    await page.getByRole('button', { name: 'Upload' }).click()
    await page.waitForURL('**/verify/flow/selfie')

    // Live selfie through the (fake) camera.
    await page.getByRole('button', { name: 'Use my camera' }).click()
    await page.getByRole('button', { name: 'Take photo' }).waitFor()
    await check(page, '05-selfie-camera')
    await page.getByRole('button', { name: 'Take photo' }).click()
    await page.waitForURL('**/verify/flow/review')
    await check(page, '06-review')

    const before = page.url()
    await page.getByRole('button', { name: 'Submit for verification' }).click()
    await page.waitForURL('**/verify/status')
    await page.evaluate(() => {
      ;(window as unknown as { statusPage: boolean }).statusPage = true
    })
    await page.getByRole('heading', { name: 'You are verified' }).waitFor({ timeout: 15_000 })
    // Same document as when the status page opened: the decision arrived without a reload.
    expect(await page.evaluate(() => (window as unknown as { statusPage?: boolean }).statusPage)).toBe(true)
    expect(before).toContain('/verify/flow/review')
    await check(page, '07-status-verified')
    expect((await currentUser(t, sandbox.client.clientKey, user)).verificationState).toBe('VERIFIED')
    await context.close()
  }, 90_000)

  it('ends a Test Rejected user REJECTED with a user-safe reason, and a second browser gets the 410 page', async () => {
    const user = await registerSandboxUser(t, sandbox.client.clientKey, { lastName: 'Rejected' })
    const sessionUrl = await startVerification(t, sandbox.client.clientKey, user)
    const context = await newPhone()
    const page = await context.newPage()
    await page.goto(sessionUrl)
    await page.waitForURL(/\/verify$/)

    const intruder = await newPhone()
    const other = await intruder.newPage()
    // The link is claimed: this browser gets the 410 page at once, without a page that would post.
    const posts: string[] = []
    other.on('request', (request) => {
      if (request.method() === 'POST') posts.push(request.url())
    })
    const opened = await other.goto(sessionUrl)
    expect(opened?.status()).toBe(410)
    await other.getByRole('heading', { name: 'This link has already been used' }).waitFor()
    expect(posts).toEqual([])
    await check(other, '10-second-browser-410')
    await intruder.close()

    await consentAndPassport(page, false)
    await page.setInputFiles('#file', fixtures.front)
    await page.getByRole('button', { name: 'Upload' }).click()
    await page.waitForURL('**/verify/flow/selfie')
    await page.setInputFiles('#file', fixtures.selfie)
    await page.getByRole('button', { name: 'Upload' }).click()
    await page.waitForURL('**/verify/flow/review')
    await page.getByRole('button', { name: 'Submit for verification' }).click()
    await page
      .getByRole('heading', { name: 'We could not verify your identity' })
      .waitFor({ timeout: 15_000 })
    await expect(
      page.getByText('The face in the selfie does not match the document photo.').isVisible(),
    ).resolves.toBe(true)
    await check(page, '08-status-rejected')
    await eventually(async () =>
      expect((await currentUser(t, sandbox.client.clientKey, user)).verificationState).toBe('REJECTED'),
    )
    await context.close()
  }, 90_000)

  it('refuses a text file renamed .jpg with a clear message, and reports a refused camera on the session', async () => {
    const user = await registerSandboxUser(t, sandbox.client.clientKey)
    const sessionUrl = await startVerification(t, sandbox.client.clientKey, user)
    const context = await newPhone()
    // This phone's user says no to the camera prompt.
    await context.addInitScript(() => {
      navigator.mediaDevices.getUserMedia = () =>
        Promise.reject(new DOMException('denied', 'NotAllowedError'))
    })
    const page = await context.newPage()
    await page.goto(sessionUrl)
    await page.waitForURL(/\/verify$/)
    await consentAndPassport(page, false)

    await page.setInputFiles('#file', fixtures.text)
    await page.getByRole('button', { name: 'Upload' }).click()
    const alert = page.getByRole('alert')
    await expect(alert.filter({ hasText: 'not a photo we can use' }).waitFor()).resolves.toBeUndefined()
    expect(page.url()).toContain('/verify/flow/front')
    await check(page, '09-wrong-file')

    await page.setInputFiles('#file', fixtures.front)
    await page.getByRole('button', { name: 'Upload' }).click()
    await page.waitForURL('**/verify/flow/selfie')
    await page.getByRole('button', { name: 'Use my camera' }).click()
    await page.getByText('Camera access was refused').waitFor()
    await eventually(async () => {
      const progress = await user.database.db
        .selectFrom('capture_progress')
        .innerJoin('verification_session', 'verification_session.id', 'capture_progress.session_id')
        .select('capture_progress.events')
        .where('verification_session.user_id', '=', user.id)
        .executeTakeFirstOrThrow()
      expect(JSON.parse(progress.events)).toMatchObject([{ type: 'camera_denied' }])
    })
    await context.close()
  }, 90_000)

  it('asks a us user who gave no SSN at onboarding for it, then goes on to the review', async () => {
    const user = await registerSandboxUser(t, sandbox.client.clientKey, { region: 'us' })
    await user.database.db
      .updateTable('app_user')
      .set({ ssn_sealed: null, ssn_last4: null })
      .where('id', '=', user.id)
      .execute()
    const sessionUrl = await startVerification(t, sandbox.client.clientKey, user)
    const context = await newPhone()
    const page = await context.newPage()
    await page.goto(sessionUrl)
    await page.waitForURL(/\/verify$/)
    await consentAndPassport(page, false)
    await page.setInputFiles('#file', fixtures.front)
    await page.getByRole('button', { name: 'Upload' }).click()
    await page.waitForURL('**/verify/flow/selfie')
    await page.setInputFiles('#file', fixtures.selfie)
    await page.getByRole('button', { name: 'Upload' }).click()
    await page.waitForURL('**/verify/flow/address')
    await page.setInputFiles('#file', fixtures.pdf)
    await page.getByRole('button', { name: 'Upload' }).click()
    await page.waitForURL('**/verify/flow/ssn')
    await check(page, '11-ssn')
    await page.getByLabel('Social Security number').fill('234-56-7890')
    await page.getByRole('button', { name: 'Continue' }).click()
    await page.waitForURL('**/verify/flow/review')
    await page.getByRole('heading', { name: 'Check and submit' }).waitFor()
    await context.close()
  }, 90_000)
})
