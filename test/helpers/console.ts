import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { generateSync } from 'otplib'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { expect } from 'vitest'
import type { Dialect } from '../../src/db/database.ts'
import { freePort } from './browser.ts'
import { registerSandboxUser, writeFixtures } from './capture.ts'
import { runCli } from './cli.ts'
import { eventually } from './databases.ts'
import { liveHarness } from './live-submission.ts'

/** What `verity staff create --json` (or `staff reset --json`) prints: all a member needs to sign in. */
export type StaffCredentials = {
  id: string
  email: string
  role: string
  password: string
  totpSecret: string
}

/** The code the member's authenticator shows at the given (test clock's) time. */
export const totpAt = (member: Pick<StaffCredentials, 'totpSecret'>, nowMs: number): string =>
  generateSync({ secret: member.totpSecret, epoch: Math.floor(nowMs / 1000) })

/**
 * The console on a listening live app (its worker, a sandbox client, the capture fixtures): staff are
 * created with the CLI as an operator would, against the same databases and server secret.
 */
export const consoleHarness = async (dialect: Dialect, env: Record<string, string> = {}) => {
  const serverSecret = randomBytes(32).toString('base64')
  const port = await freePort()
  const origin = `http://127.0.0.1:${port}`
  const harness = await liveHarness(dialect, {
    env: { PUBLIC_URL: origin, SERVER_SECRET: serverSecret, ...env },
  })
  const t = harness.t
  await t.app.listen({ host: '127.0.0.1', port })
  const sandbox = await t.createClient({ name: 'Acme Wallet', mode: 'sandbox', regions: ['intl'] })
  const fixtures = await writeFixtures(join(t.storage.dataDir, 'fixtures'))
  const front = await readFile(fixtures.front)
  const selfie = await readFile(fixtures.selfie)

  const cli = (args: string[]) =>
    runCli(args, { DATA_DIR: t.storage.dataDir, ...t.storage.env, SERVER_SECRET: serverSecret })

  const createStaff = async (email: string, role: string): Promise<StaffCredentials> => {
    const created = await cli(['staff', 'create', '--email', email, '--role', role, '--json'])
    expect(created.code, created.stderr).toBe(0)
    return JSON.parse(created.stdout) as StaffCredentials
  }

  const codeOf = (member: StaffCredentials) => totpAt(member, t.clock.now())

  /** A submitted sandbox case that waits for a person (Test Pending). */
  const pendingCase = async () => {
    const user = await registerSandboxUser(t, sandbox.client.clientKey, { lastName: 'Pending' })
    const sessionId = await harness.submit(
      user,
      { documentType: 'passport', issuingCountry: 'GB', front, selfie },
      undefined,
      sandbox.client.clientKey,
    )
    // The sandbox scenario has run: its results are on the case, and it still waits.
    await eventually(async () => {
      const results = await user.database.db
        .selectFrom('check_result')
        .select('check_id')
        .where('session_id', '=', sessionId)
        .execute()
      expect(results.length).toBeGreaterThan(0)
    }, 30_000)
    return { user, sessionId }
  }

  /** Signs the member in through the sign-in page in a context of its own, landing on the queue. */
  const signIn = async (
    browser: Browser,
    member: StaffCredentials,
  ): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    await page.goto(`${origin}/console`)
    await page.waitForURL('**/console/login')
    await page.getByLabel('Email').fill(member.email)
    await page.getByLabel('Password').fill(member.password)
    await page.getByLabel('6-digit code').fill(codeOf(member))
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL(`${origin}/console`)
    return { context, page }
  }

  return {
    harness,
    t,
    origin,
    sandbox,
    front,
    selfie,
    cli,
    createStaff,
    codeOf,
    pendingCase,
    signIn,
    close: () => harness.close(),
  }
}

export type ConsoleHarness = Awaited<ReturnType<typeof consoleHarness>>

const cookieValue = (setCookie: string | string[] | undefined, name: string): string | undefined =>
  [setCookie ?? []]
    .flat()
    .map((each) => each.split(';')[0] ?? '')
    .find((each) => each.startsWith(`${name}=`))
    ?.slice(name.length + 1)

const csrfOnPage = (html: string): string => {
  const found = /name="csrf" value="([^"]+)"/.exec(html)?.[1]
  if (!found) throw new Error('no CSRF token on the page')
  return found
}

export type ConsoleSignIn = {
  /** The value for a `cookie` header: the staff session. */
  cookie: string
  /** The signed-in pages' CSRF token, for form posts. */
  csrf: string
}

/**
 * Signs a member in over HTTP, without a browser: the sign-in page for its CSRF cookie, the form posted,
 * then the queue for the token its forms carry. `code` is the TOTP code at the app's clock.
 */
export const signInOverHttp = async (
  app: FastifyInstance,
  member: Pick<StaffCredentials, 'email' | 'password'>,
  code: string,
): Promise<ConsoleSignIn> => {
  const form = await app.inject({ method: 'GET', url: '/console/login' })
  const loginCookie = cookieValue(form.headers['set-cookie'], 'verity_console_login')
  if (!loginCookie) throw new Error(`no sign-in cookie (${form.statusCode})`)
  const posted = await app.inject({
    method: 'POST',
    url: '/console/login',
    headers: {
      cookie: `verity_console_login=${loginCookie}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    payload: new URLSearchParams({
      csrf: csrfOnPage(form.body),
      email: member.email,
      password: member.password,
      code,
    }).toString(),
  })
  const session = cookieValue(posted.headers['set-cookie'], 'verity_console')
  if (posted.statusCode !== 303 || !session)
    throw new Error(`sign-in refused (${posted.statusCode}): ${posted.body.slice(0, 300)}`)
  const cookie = `verity_console=${session}`
  const queue = await app.inject({ method: 'GET', url: '/console', headers: { cookie } })
  if (queue.statusCode !== 200) throw new Error(`the queue after sign-in answered ${queue.statusCode}`)
  return { cookie, csrf: csrfOnPage(queue.body) }
}
