import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '../../src/lib/logger.ts'
import { listAuditEntries } from '../../src/modules/audit/index.ts'
import { createStaff } from '../../src/modules/staff/index.ts'
import { buildTestApp, TEST_ACTOR, type TestApp } from '../helpers/app.ts'
import { currentUser, registerSandboxUser } from '../helpers/capture.ts'
import { type ConsoleSignIn, signInOverHttp, totpAt } from '../helpers/console.ts'
import { DIALECTS } from '../helpers/dialects.ts'
import { caseInReview } from '../helpers/review.ts'

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

/** The compliance console over HTTP, without a browser (issue #13): sessions, assignment, audit, queue. */
describe.each(DIALECTS)('compliance console over HTTP (%s)', (dialect) => {
  let t: TestApp
  let clientKey: string
  let sequence = 0
  const logLines: string[] = []
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(...String(chunk).trim().split('\n'))
      done()
    },
  })

  beforeAll(async () => {
    t = await buildTestApp(dialect, { log: createLogger('info', sink) })
    clientKey = (await t.createClient({ name: 'console', mode: 'sandbox', regions: ['intl'] })).client
      .clientKey
  })
  afterAll(() => t?.close())

  const staffDeps = () => ({
    db: t.runtime.databases.home.db,
    home: t.runtime.databases.home,
    clock: t.clock,
    keys: t.runtime.keys,
    config: t.runtime.config,
  })
  const newMember = async (role = 'reviewer') => {
    sequence += 1
    return createStaff(staffDeps(), { email: `member${sequence}@example.com`, role }, TEST_ACTOR)
  }
  /** A fresh TOTP step, so a code is never one already spent. */
  const nextStep = () => t.clock.set((Math.floor(t.clock.now() / 30_000) + 1) * 30_000)
  const signIn = async (member: Awaited<ReturnType<typeof newMember>>) => {
    nextStep()
    return signInOverHttp(
      t.app,
      { email: member.staff.email, password: member.password },
      totpAt(member, t.clock.now()),
    )
  }
  const get = (url: string, as: ConsoleSignIn) =>
    t.app.inject({ method: 'GET', url, headers: { cookie: as.cookie } })
  const post = (url: string, as: ConsoleSignIn, form: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: { cookie: as.cookie, ...FORM },
      payload: new URLSearchParams({ csrf: as.csrf, ...form }).toString(),
    })

  const homeAudit = async (actor: string) =>
    (await listAuditEntries(t.runtime.databases.home.db, { actor, limit: 50 })).map((entry) => ({
      action: entry.action,
      subject: entry.subject?.id,
      details: entry.details,
    }))

  it('audits reading the audit log and the staff list, and signing out', async () => {
    const admin = await newMember('admin')
    const actor = `staff:${admin.staff.id}`
    const session = await signIn(admin)
    expect((await get('/console/staff', session)).statusCode).toBe(200)
    const read = await get(`/console/audit?action=staff.list&subject=&actor=${actor}`, session)
    expect(read.statusCode).toBe(200)
    // Free text in a filter (an email pasted in, a longer actor than a detail may hold) is never kept.
    const freeText = await get(`/console/audit?actor=${'x'.repeat(210)}&subject=jane%40example.com`, session)
    expect(freeText.statusCode).toBe(200)
    expect((await post('/console/logout', session)).statusCode).toBe(303)
    const entries = await homeAudit(actor)
    expect(entries.slice(0, 4)).toEqual([
      { action: 'staff.sign_out', subject: admin.staff.id, details: { sessionId: expect.any(String) } },
      {
        action: 'audit.view',
        subject: undefined,
        details: { actorFilter: true, subjectFilter: true, entries: 0 },
      },
      { action: 'audit.view', subject: undefined, details: { actor, action: 'staff.list', entries: 1 } },
      { action: 'staff.list', subject: undefined, details: { members: expect.any(Number) } },
    ])
    // Recorded by the staff module with the session, once each (the routes add none of their own).
    for (const action of ['staff.sign_in', 'staff.sign_out'])
      expect(
        entries.filter((entry) => entry.action === action),
        action,
      ).toHaveLength(1)
    // A HEAD would read them unaudited: there is none.
    const head = await t.app.inject({ method: 'HEAD', url: '/console/staff' })
    expect(head.statusCode).toBe(404)
  })

  it('suspends a user by post/redirect/get; asking for the status they already have changes and records nothing', async () => {
    const member = await newMember()
    const session = await signIn(member)
    const user = await registerSandboxUser(t, clientKey)
    const suspend = (suspended: 'true' | 'false') =>
      post(`/console/users/${user.id}/suspension`, session, { suspended })
    const account = () =>
      user.database.db
        .selectFrom('app_user')
        .select(['status', 'suspended_at'])
        .where('id', '=', user.id)
        .executeTakeFirstOrThrow()

    const suspended = await suspend('true')
    expect(suspended.statusCode).toBe(303)
    expect(suspended.headers.location).toBe(`/console/users/${user.id}?done=suspended`)
    expect((await get(suspended.headers.location as string, session)).body).toContain(
      '<p class="done" role="status">User suspended.</p>',
    )
    const before = await account()
    expect(before.status).toBe('suspended')
    t.clock.advance(60_000)
    const again = await suspend('true')
    expect(again.headers.location).toBe(`/console/users/${user.id}?done=unchanged`)
    expect(await account(), 'the suspension still starts when it did').toEqual(before)
    expect((await suspend('false')).headers.location).toBe(`/console/users/${user.id}?done=unsuspended`)
    expect((await suspend('false')).headers.location).toBe(`/console/users/${user.id}?done=unchanged`)
    expect((await account()).status).toBe('active')

    const recorded = (await listAuditEntries(user.database.db, { subjectId: user.id, limit: 50 })).map(
      (entry) => entry.action,
    )
    // One entry per change; the redirects read nothing, only the page opened once is a view.
    expect(recorded).toEqual(['user.unsuspend', 'user.view', 'user.suspend'])
    expect((await get(`/console/users/${user.id}?done=elsewhere`, session)).statusCode).toBe(422)
  })

  it('signs in over HTTP: the session cookie opens the queue, and the page token signs its forms', async () => {
    const member = await newMember()
    const session = await signIn(member)
    const queue = await get('/console', session)
    expect(queue.statusCode).toBe(200)
    expect(queue.body).toContain(member.staff.email)
    expect(queue.body).not.toContain('Showing the oldest')
    expect((await post('/console/logout', session)).statusCode).toBe(303)
    expect((await get('/console', session)).headers.location).toBe('/console/login')
  })

  it("refuses a decision on a case another reviewer holds, in the decision's seam; the log names no email", async () => {
    const holder = await newMember()
    const other = await newMember()
    const one = await signIn(holder)
    const two = await signIn(other)
    const { user, sessionId } = await caseInReview(t, clientKey)
    const sanctioned = await caseInReview(t, clientKey, ['SANCTIONS_POSSIBLE_MATCH'])
    expect((await get(`/console/cases/${sessionId}`, one)).statusCode).toBe(200)
    expect((await get(`/console/cases/${sanctioned.sessionId}`, one)).statusCode).toBe(200)

    const logged = logLines.length
    const refused = await post(`/console/cases/${sessionId}/decision`, two, { action: 'approve' })
    expect(refused.statusCode).toBe(409)
    expect(refused.body).toContain(`${holder.staff.email} is reviewing this case`)
    expect((await currentUser(t, clientKey, user)).verificationState).toBe('PENDING')
    // A proposal (four-eyes) goes through the same rule: none is recorded.
    const proposal = await post(`/console/cases/${sanctioned.sessionId}/decision`, two, {
      action: 'reject',
      reasonCode: 'SANCTIONS_MATCH',
    })
    expect(proposal.statusCode).toBe(409)
    const proposals = await sanctioned.user.database.db
      .selectFrom('pending_decision')
      .select('id')
      .where('session_id', '=', sanctioned.sessionId)
      .execute()
    expect(proposals).toEqual([])
    const lines = logLines.slice(logged)
    expect(lines.some((line) => line.includes('CASE_ASSIGNED'))).toBe(true)
    expect(lines.filter((line) => line.includes('@example.com'))).toEqual([])

    // The holder decides: the hold ends with the decision, and nobody is said to be on the case.
    const decided = await post(`/console/cases/${sessionId}/decision`, one, { action: 'approve' })
    expect(decided.statusCode).toBe(303)
    expect((await currentUser(t, clientKey, user)).verificationState).toBe('VERIFIED')
    const holds = (id: string) =>
      user.database.db.selectFrom('case_assignment').select('staff_id').where('session_id', '=', id).execute()
    expect(await holds(sessionId)).toEqual([])
    expect((await get(`/console/cases/${sessionId}`, two)).body).not.toContain('is reviewing this case')

    // A proposal ends the proposer's hold too: the second reviewer opens the case and may confirm it.
    const proposed = await post(`/console/cases/${sanctioned.sessionId}/decision`, one, {
      action: 'reject',
      reasonCode: 'SANCTIONS_MATCH',
    })
    expect(proposed.statusCode).toBe(303)
    const second = await get(`/console/cases/${sanctioned.sessionId}`, two)
    expect(second.body).not.toContain(`${holder.staff.email} is reviewing this case`)
    expect(second.body).toContain('Confirm')
    expect(await holds(sanctioned.sessionId)).toEqual([{ staff_id: other.staff.id }])
  })

  it('says how many cases wait when the queue holds more than the page shows (1,000)', async () => {
    const member = await newMember()
    const session = await signIn(member)
    const { user, sessionId } = await caseInReview(t, clientKey)
    const db = user.database.db
    const row = await db
      .selectFrom('verification_session')
      .selectAll()
      .where('id', '=', sessionId)
      .executeTakeFirstOrThrow()
    // Copies of the case, written directly: what the page does with many of them is what matters here.
    const copies = Array.from({ length: 1000 }, (_, index) => ({
      ...row,
      id: `${sessionId}c${String(index).padStart(4, '0')}`,
      submitted_at: (row.submitted_at ?? 0) + index + 1,
    }))
    for (let start = 0; start < copies.length; start += 100)
      await db
        .insertInto('verification_session')
        .values(copies.slice(start, start + 100))
        .execute()
    const waiting = (
      await db
        .selectFrom('verification_session')
        .select((eb) => eb.fn.countAll<number | string>().as('count'))
        .where('status', '=', 'submitted')
        .where((eb) => eb.or([eb('outcome', 'is', null), eb('outcome', '=', 'review')]))
        .executeTakeFirstOrThrow()
    ).count
    const total = Number(waiting)
    expect(total).toBeGreaterThan(1000)

    const queue = await get('/console', session)
    expect(queue.statusCode).toBe(200)
    expect(queue.body).toContain(`Showing the oldest 1,000 of ${total.toLocaleString('en-US')} cases waiting`)
    const dashboard = await get('/console/dashboard', session)
    expect(dashboard.body).toMatch(new RegExp(`Waiting for a person now</th><td>${total}, the oldest`))
    const ofClient = await get(`/console/dashboard?client=${row.client_id}&region=intl`, session)
    expect(ofClient.body).toMatch(/Waiting for a person now<\/th><td>\d+, the oldest/)
    const otherRegion = await get('/console/dashboard?region=us', session)
    expect(otherRegion.body).toContain('Waiting for a person now</th><td>0</td>')
  })
})
