import * as oauth from 'oauth4webapi'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { register, sandboxCodes } from '../helpers/accounts.ts'
import { buildTestApp, type TestApp } from '../helpers/app.ts'
import {
  chromiumAvailable,
  freePort,
  launchChromium,
  PHONE,
  screenshot,
  seriousViolations,
} from '../helpers/browser.ts'
import { DIALECTS } from '../helpers/dialects.ts'

const PASSWORD = 'correct horse battery'

/**
 * The hosted OAuth2 flow in Chromium, driven by a standard OAuth client library (oauth4webapi) doing
 * PKCE: Verity's sign-in page, its consent page naming the client and the scopes, the redirect with
 * code and app_id, the form-urlencoded token request; then Ledger's JSON token request (no redirect_uri,
 * no client_id, only x-client-key) and its refresh. The tokens work on GET /v1/user and
 * GET /v1/user/verification. Both pages are axe-clean and work from the keyboard alone.
 */
describe.skipIf(!chromiumAvailable()).each(DIALECTS)('hosted OAuth2 in the browser (%s)', (dialect) => {
  let t: TestApp
  let browser: Browser
  let origin: string
  let clientKey: string
  // Ledger's redirect path on this server (a 404 there is fine: the test reads the URL it was sent to).
  let REDIRECT: string
  const email = 'ledger.user@example.com'

  beforeAll(async () => {
    const port = await freePort()
    origin = `http://127.0.0.1:${port}`
    REDIRECT = `${origin}/ledger/card-baanx`
    t = await buildTestApp(dialect, { env: { PUBLIC_URL: origin } })
    await t.app.listen({ host: '127.0.0.1', port })
    const { client } = await t.createClient({
      name: 'Ledger Wallet',
      redirectUris: [REDIRECT],
      publicOAuth: true,
    })
    clientKey = client.clientKey
    await register(t.app, clientKey, sandboxCodes, {
      email,
      password: PASSWORD,
      region: 'intl',
      country: 'GB',
      phone: { countryCode: '+44', number: '7400900001', e164: '+447400900001' },
    })
    browser = await launchChromium()
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
    await t?.close()
  })

  const as = (): oauth.AuthorizationServer => ({
    issuer: origin,
    authorization_endpoint: `${origin}/v1/auth/oauth2/authorize`,
    token_endpoint: `${origin}/v1/auth/oauth2/token`,
  })

  /** Opens the authorize URL and signs in; answers the callback URL the browser was sent to. */
  const authorizeInBrowser = async (page: Page, url: URL, useKeyboard: boolean): Promise<URL> => {
    await page.goto(url.toString())
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Sign in')
    expect(await seriousViolations(page)).toEqual([])
    if (!useKeyboard) await screenshot(page, 'oauth2-sign-in')
    if (useKeyboard) {
      await page.keyboard.press('Tab')
      await page.keyboard.type(email)
      await page.keyboard.press('Tab')
      await page.keyboard.type(PASSWORD)
      await page.keyboard.press('Enter')
    } else {
      await page.getByLabel('Email').fill(email)
      await page.getByLabel('Password').fill(PASSWORD)
      await page.getByRole('button', { name: 'Sign in' }).click()
    }
    await page.getByRole('heading', { name: 'Allow Ledger Wallet to use your account?' }).waitFor()
    expect(await page.getByRole('listitem').allTextContents()).toEqual([
      'Confirm who you are (openid)',
      'See your name and verification status (profile)',
      'See your email address (email)',
      'Stay signed in (keep access when you are not using the app) (offline_access)',
    ])
    expect(await seriousViolations(page)).toEqual([])
    if (!useKeyboard) await screenshot(page, 'oauth2-consent')
    if (useKeyboard) {
      await page.getByRole('button', { name: 'Allow' }).focus()
      await page.keyboard.press('Enter')
    } else {
      await page.getByRole('button', { name: 'Allow' }).click()
    }
    await page.waitForURL(`${REDIRECT}?**`)
    return new URL(page.url())
  }

  const authorizeUrl = async (verifier: string) => {
    const url = new URL(as().authorization_endpoint as string)
    url.searchParams.set('client_id', clientKey)
    url.searchParams.set('response_type', 'code')
    url.searchParams.set('scope', 'openid profile email offline_access')
    url.searchParams.set('redirect_uri', REDIRECT)
    url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier))
    url.searchParams.set('code_challenge_method', 'S256')
    url.searchParams.set('prompt', 'consent')
    return url
  }

  const v1 = (path: string, accessToken: string) =>
    t.app.inject({
      method: 'GET',
      url: path,
      headers: {
        'x-client-key': clientKey,
        authorization: `Bearer ${accessToken}`,
        'content-type': 'application/json',
      },
    })

  it('signs in, consents and exchanges the code with oauth4webapi (PKCE, form body); the token works on /v1', async () => {
    const context = await browser.newContext(PHONE)
    const page = await context.newPage()
    const verifier = oauth.generateRandomCodeVerifier()
    const callback = await authorizeInBrowser(page, await authorizeUrl(verifier), false)
    expect(callback.searchParams.get('app_id')).toBe('VERITY')
    const client: oauth.Client = { client_id: clientKey }
    const params = oauth.validateAuthResponse(as(), client, callback, oauth.expectNoState)
    const response = await oauth.authorizationCodeGrantRequest(
      as(),
      client,
      oauth.None(),
      params,
      REDIRECT,
      verifier,
      {
        [oauth.allowInsecureRequests]: true,
      },
    )
    const tokens = await oauth.processAuthorizationCodeResponse(as(), client, response)
    expect(tokens.token_type).toBe('bearer')
    expect(tokens.expires_in).toBe(21600)
    expect(tokens.refresh_token).toMatch(/^INTL_rt_/)
    expect((await v1('/v1/user', tokens.access_token)).json().verificationState).toBe('UNVERIFIED')
    expect((await v1('/v1/user/verification', tokens.access_token)).json().sessionUrl).toContain('/verify/')
    await context.close()
  })

  it("then Ledger's JSON token request (no redirect_uri, no client_id) and refresh, from the keyboard alone", async () => {
    const context = await browser.newContext(PHONE)
    const page = await context.newPage()
    const verifier = oauth.generateRandomCodeVerifier()
    const callback = await authorizeInBrowser(page, await authorizeUrl(verifier), true)
    const code = callback.searchParams.get('code') as string
    const ledger = (payload: object) =>
      fetch(`${origin}/v1/auth/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-client-key': clientKey },
        body: JSON.stringify(payload),
      })
    const answer = await ledger({ grant_type: 'authorization_code', code, code_verifier: verifier })
    expect(answer.status).toBe(200)
    const tokens = (await answer.json()) as Record<string, unknown>
    expect(Number.isInteger(tokens.expires_in)).toBe(true)
    expect((await v1('/v1/user', tokens.access_token as string)).statusCode).toBe(200)
    const renewed = await ledger({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token })
    expect(renewed.status).toBe(200)
    const next = (await renewed.json()) as Record<string, unknown>
    expect((await v1('/v1/user/verification', next.access_token as string)).statusCode).toBe(200)
    await context.close()
  })
})
