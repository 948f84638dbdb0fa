import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createStaff } from '../../src/modules/staff/index.ts'
import { buildTestApp, TEST_ACTOR, type TestApp } from '../helpers/app.ts'
import { signInOverHttp, totpAt } from '../helpers/console.ts'
import { DIALECTS } from '../helpers/dialects.ts'

/** The compliance console over HTTP, without a browser (issue #13): sessions, audit, the queue. */
describe.each(DIALECTS)('compliance console over HTTP (%s)', (dialect) => {
  let t: TestApp
  let sequence = 0

  beforeAll(async () => {
    t = await buildTestApp(dialect)
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

  it('signs in over HTTP: the session cookie opens the queue, and the page token signs its forms', async () => {
    const member = await newMember()
    const { cookie, csrf } = await signIn(member)
    const queue = await t.app.inject({ method: 'GET', url: '/console', headers: { cookie } })
    expect(queue.statusCode).toBe(200)
    expect(queue.body).toContain(member.staff.email)
    const out = await t.app.inject({
      method: 'POST',
      url: '/console/logout',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `csrf=${encodeURIComponent(csrf)}`,
    })
    expect(out.statusCode).toBe(303)
    const after = await t.app.inject({ method: 'GET', url: '/console', headers: { cookie } })
    expect(after.headers.location).toBe('/console/login')
  })
})
