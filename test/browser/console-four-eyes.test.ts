import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listAuditEntries } from '../../src/modules/audit/index.ts'
import { chromiumAvailable, launchChromium, seriousViolations } from '../helpers/browser.ts'
import { currentUser } from '../helpers/capture.ts'
import { type ConsoleHarness, consoleHarness, type StaffCredentials } from '../helpers/console.ts'
import { DIALECTS } from '../helpers/dialects.ts'

/**
 * Four-eyes in the console (issue #13 item 4, "Must show"): a first reviewer's sanctions rejection of a
 * sandbox "Test Pending" case is only proposed (the user stays PENDING, the proposer cannot confirm it
 * and the queue marks the case) until a second reviewer confirms it: then the user is REJECTED.
 */
describe.skipIf(!chromiumAvailable()).each(DIALECTS)('four-eyes in the console (%s)', (dialect) => {
  let harness: ConsoleHarness
  let browser: Browser

  beforeAll(async () => {
    harness = await consoleHarness(dialect)
    browser = await launchChromium()
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
    await harness?.close()
  })

  it("holds the first reviewer's sanctions rejection until a second reviewer confirms it", async () => {
    const { origin, sandbox, t, createStaff, cli } = harness
    const signIn = (member: StaffCredentials) => harness.signIn(browser, member)
    const first = await createStaff('first@example.com', 'reviewer')
    const second = await createStaff('second@example.com', 'reviewer')
    const { user, sessionId } = await harness.pendingCase()
    const state = async () => (await currentUser(t, sandbox.client.clientKey, user)).verificationState

    // The first reviewer rejects as a sanctions match: proposed, not applied.
    const one = await signIn(first)
    await one.page.goto(`${origin}/console/cases/${sessionId}`)
    await one.page.getByLabel('Reason').selectOption('SANCTIONS_MATCH')
    await one.page.getByLabel('Note').fill('matches the listed entry')
    await one.page.getByRole('button', { name: 'Reject' }).click()
    await one.page.waitForURL(`**/console/cases/${sessionId}?proposed=1`)
    expect(await one.page.locator('p.done').textContent()).toContain('takes effect once another reviewer')
    const proposal = one.page.locator('section.proposal')
    expect(await proposal.textContent()).toContain('first@example.com proposed to reject')
    expect(await proposal.textContent()).toContain('You proposed this decision')
    expect(await one.page.getByRole('button', { name: 'Confirm' }).count()).toBe(0)
    expect(await one.page.getByRole('button', { name: 'Withdraw' }).count()).toBe(1)
    expect(await seriousViolations(one.page)).toEqual([])
    expect(await state()).toBe('PENDING')

    // The proposer's own confirmation, posted by hand, is refused: nothing changes.
    const csrf = (await one.page.locator('input[name=csrf]').first().getAttribute('value')) as string
    const pendingId = (
      await user.database.db
        .selectFrom('pending_decision')
        .select('id')
        .where('session_id', '=', sessionId)
        .executeTakeFirstOrThrow()
    ).id
    const own = await one.page.request.post(`${origin}/console/cases/${sessionId}/confirm`, {
      form: { csrf, pendingId },
      headers: { origin },
      maxRedirects: 0,
    })
    expect(own.status()).toBe(403)
    expect(await own.text()).toContain('another reviewer must confirm it')
    expect(await state()).toBe('PENDING')
    await one.context.close()

    // The second reviewer sees it marked in the queue, confirms it: REJECTED.
    const two = await signIn(second)
    const row = two.page.locator('tr', { has: two.page.getByRole('link', { name: sessionId }) })
    expect(await row.textContent()).toContain('decision awaits confirmation')
    await two.page.getByRole('link', { name: sessionId }).click()
    await two.page.waitForURL(`**/console/cases/${sessionId}`)
    expect(await two.page.locator('section.proposal').textContent()).toContain('SANCTIONS_MATCH')
    expect(await two.page.getByRole('button', { name: 'Withdraw' }).count()).toBe(0)
    expect(await seriousViolations(two.page)).toEqual([])
    await two.page.getByRole('button', { name: 'Confirm' }).click()
    await two.page.waitForURL(`**/console/cases/${sessionId}?confirmed=1`)
    expect(await two.page.getByRole('status').textContent()).toBe('Decision confirmed and applied.')
    expect(await two.page.locator('section.proposal').count()).toBe(0)
    expect(await state()).toBe('REJECTED')

    // Confirming again (the same form, resent) changes nothing.
    const again = await two.page.request.post(`${origin}/console/cases/${sessionId}/confirm`, {
      form: {
        csrf: (await two.page.locator('input[name=csrf]').first().getAttribute('value')) as string,
        pendingId,
      },
      headers: { origin },
      maxRedirects: 0,
    })
    expect(again.status()).toBe(409)
    expect(await again.text()).toContain('This proposal was already confirmed')
    expect(await state()).toBe('REJECTED')
    await two.context.close()

    const entries = (await listAuditEntries(user.database.db, { subjectId: sessionId, limit: 100 })).map(
      (entry) => [entry.action, entry.actor, entry.details.pending ?? false],
    )
    expect(entries).toContainEqual(['case.decide', `staff:${first.id}`, true])
    expect(entries).toContainEqual(['case.confirm', `staff:${second.id}`, false])
    const verified = await cli(['audit', 'verify'])
    expect(verified.code, verified.stderr).toBe(0)
  }, 180_000)
})
