import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listAuditEntries } from '../../src/modules/audit/index.ts'
import { api } from '../helpers/accounts.ts'
import type { TestApp } from '../helpers/app.ts'
import { chromiumAvailable, launchChromium, screenshot, seriousViolations } from '../helpers/browser.ts'
import { currentUser, type TestUser } from '../helpers/capture.ts'
import { type ConsoleHarness, consoleHarness, type StaffCredentials } from '../helpers/console.ts'
import { eventually } from '../helpers/databases.ts'
import { DIALECTS } from '../helpers/dialects.ts'
import { management, standardVerify, startReceiver } from '../helpers/webhooks.ts'

/**
 * The compliance console (issue #13) in Chromium: staff created with the CLI sign in with password and
 * a TOTP code, find a sandbox "Test Pending" user's case and decide it; the decision reaches the client
 * API and its webhook; every sign-in, view and decision is in the audit log, which verifies.
 */
describe.skipIf(!chromiumAvailable()).each(DIALECTS)('compliance console in Chromium (%s)', (dialect) => {
  let harness: ConsoleHarness
  let t: TestApp
  let browser: Browser
  let origin: string
  let sandbox: ConsoleHarness['sandbox']
  let receiver: Awaited<ReturnType<typeof startReceiver>>
  let webhookSecret: string

  beforeAll(async () => {
    harness = await consoleHarness(dialect, { REVIEW_ASSIGNMENT_MINUTES: '5' })
    ;({ t, origin, sandbox } = harness)
    receiver = await startReceiver()
    const hook = await management(t.app, sandbox.client.clientKey, sandbox.secretKey).create({
      name: 'backend',
      url: receiver.url,
      event_types: ['*'],
      is_active: true,
    })
    webhookSecret = hook.standardWebhooksSecret
    browser = await launchChromium()
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
    await receiver?.close()
    await harness?.close()
  })

  const cli = (args: string[]) => harness.cli(args)
  const createStaff = (email: string, role: string) => harness.createStaff(email, role)
  const pendingCase = () => harness.pendingCase()
  const signIn = (member: StaffCredentials) => harness.signIn(browser, member)

  const check = async (page: Page, name?: string) => {
    expect(await seriousViolations(page), `axe on ${page.url()}`).toEqual([])
    if (name) await screenshot(page, name)
  }

  const auditOf = async (database: TestUser['database']) =>
    (await listAuditEntries(database.db, { limit: 500 })).map((entry) => ({
      actor: entry.actor,
      action: entry.action,
      subject: entry.subject?.id,
    }))

  it('a reviewer from the CLI signs in with password + TOTP, approves a Test Pending case: VERIFIED, webhook, audit', async () => {
    const reviewer = await createStaff('reviewer@example.com', 'reviewer')
    const { user, sessionId } = await pendingCase()
    const { context, page } = await signIn(reviewer)
    await check(page, dialect === 'sqlite' ? 'console-queue' : undefined)
    await page.getByRole('link', { name: sessionId }).click()
    await page.waitForURL(`**/console/cases/${sessionId}`)
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(`Case ${sessionId}`)
    // The photos load through the authorized route (decrypted on the fly).
    const images = page.locator('.documents img')
    expect(await images.count()).toBe(2)
    await eventually(async () => {
      const widths = await images.evaluateAll((all) =>
        all.map((image) => (image as HTMLImageElement).naturalWidth),
      )
      expect(widths.every((width) => width > 0)).toBe(true)
    })
    await check(page, dialect === 'sqlite' ? 'console-case' : undefined)
    const imageUrl = `${origin}${await images.first().getAttribute('src')}`

    // A keyboard shortcut goes to the decision; Enter takes it.
    await page.locator('body').press('a')
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('approve')
    await page.keyboard.press('Enter')
    await page.waitForURL(`**/console/cases/${sessionId}?decided=1`)
    expect(await page.getByRole('status').textContent()).toBe('Decision recorded.')
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0)

    expect((await currentUser(t, sandbox.client.clientKey, user)).verificationState).toBe('VERIFIED')
    const delivered = await eventually(() => {
      const found = receiver.deliveries.find(
        (each) => each.body.includes(user.id) && each.body.includes('VERIFIED'),
      )
      expect(found).toBeDefined()
      return found as NonNullable<typeof found>
    }, 20_000)
    expect(() => standardVerify(webhookSecret, delivered)).not.toThrow()

    const staffId = reviewer.id
    const actor = `staff:${staffId}`
    expect(await auditOf(t.runtime.databases.home)).toContainEqual({
      actor,
      action: 'staff.sign_in',
      subject: staffId,
    })
    const regional = await auditOf(user.database)
    expect(regional).toContainEqual({ actor, action: 'case.view', subject: sessionId })
    // Each photo's view is recorded (the page after the decision may show them again).
    const viewedImages = regional.filter(
      (entry) => entry.action === 'case.view_image' && entry.actor === actor,
    )
    expect(new Set(viewedImages.map((entry) => entry.subject)).size).toBe(2)
    expect(regional).toContainEqual({ actor, action: 'case.decide', subject: sessionId })
    const verified = await cli(['audit', 'verify'])
    expect(verified.code, verified.stderr).toBe(0)

    // The image route: refused without a staff session, and with the same cookie once signed out.
    expect((await fetch(imageUrl)).status).toBe(401)
    const [consoleCookie] = (await context.cookies()).filter((each) => each.name === 'verity_console')
    const withCookie = () =>
      fetch(imageUrl, { headers: { cookie: `verity_console=${consoleCookie?.value}` } })
    const before = await withCookie()
    expect(before.status).toBe(200)
    expect(before.headers.get('cache-control')).toBe('no-store')
    expect(before.headers.get('content-type')).toBe('image/jpeg')
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.waitForURL('**/console/login')
    expect((await withCookie()).status).toBe(401)
    await context.close()
  }, 180_000)

  it('rejects with a reason the user is told; refuses a decision without a reason and a stale or forged form', async () => {
    t.clock.advance(31_000) // the reviewer's earlier code is spent: a new step
    const reset = await cli(['staff', 'reset', '--email', 'reviewer@example.com', '--json'])
    const reviewer = JSON.parse(reset.stdout) as StaffCredentials
    const { user, sessionId } = await pendingCase()
    const { context, page } = await signIn(reviewer)
    await page.goto(`${origin}/console/cases/${sessionId}`)
    await page.getByRole('button', { name: 'Reject' }).click()
    await page.waitForURL(`**/console/cases/${sessionId}/decision`)
    expect(await page.getByRole('alert').textContent()).toContain('A reason is required to reject')
    await page.getByLabel('Reason').selectOption('DOCUMENT_EXPIRED')
    await page.getByLabel('Note').fill('expired in 2019')
    await page.getByRole('button', { name: 'Reject' }).click()
    await page.waitForURL(`**/console/cases/${sessionId}?decided=1`)

    const sessions = await api(t.app, sandbox.client.clientKey).get('/v1/user/verification/sessions', {
      authorization: `Bearer ${user.token}`,
    })
    expect(JSON.stringify(sessions.json())).toContain('DOCUMENT_EXPIRED')
    expect((await currentUser(t, sandbox.client.clientKey, user)).verificationState).toBe('REJECTED')

    // A forged token, and a decision on a case already decided (nothing overwritten).
    const post = (csrf: string) =>
      page.request.post(`${origin}/console/cases/${sessionId}/decision`, {
        form: { csrf, action: 'approve' },
        headers: { origin },
        maxRedirects: 0,
      })
    expect((await post('forged')).status()).toBe(403)
    const csrf = (await page.locator('input[name=csrf]').first().getAttribute('value')) as string
    const again = await post(csrf)
    expect(again.status()).toBe(409)
    expect(await again.text()).toContain('already decided')
    expect((await currentUser(t, sandbox.client.clientKey, user)).verificationState).toBe('REJECTED')

    // The user in the console: found by email, their page lists the session; suspend and unsuspend.
    await page.goto(`${origin}/console/users?q=${encodeURIComponent(user.email.toUpperCase())}`)
    await page.getByRole('link', { name: user.id }).click()
    await page.waitForURL(`**/console/users/${user.id}`)
    expect(await page.getByRole('link', { name: sessionId }).count()).toBe(1)
    await check(page)
    await page.getByRole('button', { name: 'Suspend' }).click()
    expect(await page.getByRole('status').textContent()).toBe('User suspended.')
    const refused = await api(t.app, sandbox.client.clientKey).get('/v1/user', {
      authorization: `Bearer ${user.token}`,
    })
    expect(refused.statusCode).toBe(403)
    await page.getByRole('button', { name: 'Unsuspend' }).click()
    expect(await page.getByRole('status').textContent()).toBe('User unsuspended.')
    const audited = await auditOf(user.database)
    for (const action of ['user.view', 'user.suspend', 'user.unsuspend'])
      expect(audited).toContainEqual({ actor: `staff:${reviewer.id}`, action, subject: user.id })
    expect((await auditOf(t.runtime.databases.home)).map((entry) => entry.action)).toContain('user.search')
    await context.close()
  }, 180_000)

  it('a case opened by a reviewer is theirs for a while: another sees who has it and cannot decide it', async () => {
    const first = await createStaff('first@example.com', 'reviewer')
    const second = await createStaff('second@example.com', 'reviewer')
    const { user, sessionId } = await pendingCase()
    const one = await signIn(first)
    await one.page.goto(`${origin}/console/cases/${sessionId}`)
    expect(await one.page.getByText('Assigned to you until').count()).toBe(1)

    const two = await signIn(second)
    const queue = two.page.locator('tr', { hasText: sessionId })
    expect(await queue.locator('td').last().textContent()).toBe('first@example.com')
    await two.page.goto(`${origin}/console?assignee=unassigned`)
    expect(await two.page.getByRole('link', { name: sessionId }).count()).toBe(0)
    await two.page.goto(`${origin}/console/cases/${sessionId}`)
    expect(await two.page.getByRole('alert').textContent()).toContain(
      'first@example.com is reviewing this case',
    )
    expect(await two.page.getByRole('button', { name: 'Approve' }).count()).toBe(0)
    const csrf = (await two.page.locator('input[name=csrf]').first().getAttribute('value')) as string
    const refused = await two.page.request.post(`${origin}/console/cases/${sessionId}/decision`, {
      form: { csrf, action: 'approve' },
      headers: { origin },
      maxRedirects: 0,
    })
    expect(refused.status()).toBe(409)
    expect((await currentUser(t, sandbox.client.clientKey, user)).verificationState).toBe('PENDING')

    // Once the first reviewer's hold has run out, the next to open the case takes it.
    t.clock.advance(5 * 60_000 + 1000)
    await two.page.goto(`${origin}/console/cases/${sessionId}`)
    expect(await two.page.getByText('Assigned to you until').count()).toBe(1)
    await two.page.getByRole('button', { name: 'Approve' }).click()
    await two.page.waitForURL(`**/console/cases/${sessionId}?decided=1`)
    expect((await currentUser(t, sandbox.client.clientKey, user)).verificationState).toBe('VERIFIED')
    await one.context.close()
    await two.context.close()
  }, 120_000)

  it('an auditor reads the audit log but cannot decide, gets 403 on admin pages; an idle session ends', async () => {
    const auditor = await createStaff('auditor@example.com', 'auditor')
    const { sessionId } = await pendingCase()
    const { context, page } = await signIn(auditor)
    await page.goto(`${origin}/console/cases/${sessionId}`)
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0)
    const csrf = (await page.locator('input[name=csrf]').first().getAttribute('value')) as string
    const refused = await page.request.post(`${origin}/console/cases/${sessionId}/decision`, {
      form: { csrf, action: 'approve' },
      headers: { origin },
      maxRedirects: 0,
    })
    expect(refused.status()).toBe(403)
    // The case's evidence as a file: its audit entries, the chain verified, pictures only as hashes.
    const exported = await page.request.get(`${origin}/console/cases/${sessionId}/evidence`)
    expect(exported.status()).toBe(200)
    expect(exported.headers()['content-disposition']).toContain('attachment')
    const evidence = (await exported.json()) as {
      format: string
      case: { sessionId: string }
      files: { sha256: string }[]
      audit: { action: string }[]
      auditChain: { ok: boolean }
    }
    expect(evidence).toMatchObject({
      format: 'verity.case-evidence/1',
      case: { sessionId },
      auditChain: { ok: true },
    })
    expect(evidence.files).toHaveLength(2)
    expect(evidence.audit.map((entry) => entry.action)).toContain('case.view')
    await page.goto(`${origin}/console/audit`)
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Audit log')
    expect(await page.locator('td', { hasText: 'case.decide' }).count()).toBeGreaterThan(0)
    await check(page)
    // The dashboard: the decisions taken above, by people (sandbox cases wait for one), as SVG and numbers.
    await page.goto(`${origin}/console/dashboard`)
    expect(await page.getByRole('img', { name: 'Verifications per day by outcome' }).count()).toBe(1)
    expect(await page.locator('tr', { hasText: 'Decided automatically' }).locator('td').textContent()).toBe(
      '0 %',
    )
    expect(await page.locator('td', { hasText: 'DOCUMENT_EXPIRED' }).count()).toBe(1)
    await check(page, dialect === 'sqlite' ? 'console-dashboard' : undefined)
    const staffPage = await page.goto(`${origin}/console/staff`)
    expect(staffPage?.status()).toBe(403)

    // Idle past the timeout: the next request is sent to the sign-in page.
    t.clock.advance(16 * 60_000)
    await page.goto(`${origin}/console`)
    await page.waitForURL('**/console/login')
    await context.close()
  }, 120_000)
})
