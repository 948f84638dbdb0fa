import type { LightMyRequestResponse } from 'fastify'
import { generateSync } from 'otplib'
import { expect } from 'vitest'
import { createStaff, type StaffMember } from '../../src/modules/staff/index.ts'
import { TEST_ACTOR, type TestApp } from './app.ts'

export type ConsoleStaff = {
  staff: StaffMember
  /** A GET of a console URL with this member's session cookie. */
  get(url: string): Promise<LightMyRequestResponse>
}

let sequence = 0

/**
 * A staff member of the given role, signed in through the console's own sign-in form (the login
 * CSRF cookie, password and the TOTP code of the test clock), as a browser would.
 */
export const signedInStaff = async (t: TestApp, role: StaffMember['role']): Promise<ConsoleStaff> => {
  sequence += 1
  const created = await createStaff(
    {
      db: t.runtime.databases.home.db,
      home: t.runtime.databases.home,
      clock: t.clock,
      keys: t.runtime.keys,
      config: t.runtime.config,
    },
    { email: `${role}-${sequence}-${Date.now()}@example.com`, role },
    TEST_ACTOR,
  )
  const page = await t.app.inject('/console/login')
  const loginCookie = page.cookies.find((each) => each.name === 'verity_console_login')
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1]
  const signIn = await t.app.inject({
    method: 'POST',
    url: '/console/login',
    headers: { cookie: `verity_console_login=${loginCookie?.value}` },
    payload: {
      csrf: csrf ?? '',
      email: created.staff.email,
      password: created.password,
      code: generateSync({ secret: created.totpSecret, epoch: Math.floor(t.clock.now() / 1000) }),
    },
  })
  expect(signIn.statusCode, signIn.body).toBe(303)
  const session = signIn.cookies.find((each) => each.name === 'verity_console')?.value
  expect(session).toBeDefined()
  return {
    staff: created.staff,
    get: (url) => t.app.inject({ method: 'GET', url, headers: { cookie: `verity_console=${session}` } }),
  }
}
