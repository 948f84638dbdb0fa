import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listAuditEntries, verifyAuditChain } from '../../src/modules/audit/index.ts'
import { createStaff } from '../../src/modules/staff/index.ts'
import { buildTestApp, TEST_ACTOR, type TestApp } from '../helpers/app.ts'
import { type ConsoleSignIn, signInOverHttp, totpAt } from '../helpers/console.ts'
import { eventually } from '../helpers/databases.ts'
import { DIALECTS } from '../helpers/dialects.ts'
import { management, startReceiver } from '../helpers/webhooks.ts'

/**
 * The console's client and webhook administration (issue #13 item 7), over HTTP: admins only, every
 * change through the clients or webhooks module with its audit entry, secrets shown once, and a form
 * that needs fixing comes back with its message and changes nothing.
 */
describe.each(DIALECTS)('console clients and webhooks admin (%s)', (dialect) => {
  let t: TestApp
  let admin: ConsoleSignIn & { id: string }
  let reviewer: ConsoleSignIn
  let auditor: ConsoleSignIn
  let sequence = 0
  let receiver: Awaited<ReturnType<typeof startReceiver>>

  const staffDeps = () => ({
    db: t.runtime.databases.home.db,
    home: t.runtime.databases.home,
    clock: t.clock,
    keys: t.runtime.keys,
    config: t.runtime.config,
  })
  const signedIn = async (role: string) => {
    sequence += 1
    const member = await createStaff(
      staffDeps(),
      { email: `${role}${sequence}@example.com`, role },
      TEST_ACTOR,
    )
    // A fresh TOTP step for every sign-in, so no code is one already spent.
    t.clock.set((Math.floor(t.clock.now() / 30_000) + 1) * 30_000)
    const session = await signInOverHttp(
      t.app,
      { email: member.staff.email, password: member.password },
      totpAt(member, t.clock.now()),
    )
    return { ...session, id: member.staff.id }
  }

  beforeAll(async () => {
    t = await buildTestApp(dialect, { worker: true })
    receiver = await startReceiver()
    admin = await signedIn('admin')
    reviewer = await signedIn('reviewer')
    auditor = await signedIn('auditor')
  })
  afterAll(async () => {
    await receiver?.close()
    await t?.close()
  })

  const page = (who: ConsoleSignIn, url: string) =>
    t.app.inject({ method: 'GET', url, headers: { cookie: who.cookie } })
  const post = (
    who: ConsoleSignIn,
    url: string,
    form: Record<string, string | string[]>,
    csrf = who.csrf,
  ) => {
    const body = new URLSearchParams({ csrf })
    for (const [name, value] of Object.entries(form))
      for (const each of [value].flat()) body.append(name, each)
    return t.app.inject({
      method: 'POST',
      url,
      headers: { cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: body.toString(),
    })
  }
  /** A change that succeeded sends the browser back to the client's page, which says what was done. */
  const changed = async (response: Awaited<ReturnType<typeof post>>, clientId: string, notice: string) => {
    expect(response.statusCode, response.body).toBe(303)
    expect(response.headers.location).toMatch(new RegExp(`^/console/clients/${clientId}\\?done=`))
    const shown = await page(admin, response.headers.location as string)
    expect(shown.statusCode).toBe(200)
    expect(shown.body).toContain(notice)
  }
  const clientApi = (clientKey: string, secretKey?: string) =>
    t.app.inject({
      method: 'GET',
      url: '/v1/client',
      headers: { 'x-client-key': clientKey, ...(secretKey ? { 'x-secret-key': secretKey } : {}) },
    })
  /** The home database's entries about one subject, oldest first. */
  const homeAudit = async (subjectId: string) =>
    (await listAuditEntries(t.runtime.databases.home.db, { subjectId, limit: 50 }))
      .sort((a, b) => a.sequence - b.sequence)
      .map((entry) => ({ actor: entry.actor, action: entry.action }))
  const secretOn = (html: string) => /<code id="secret-key">([^<]+)<\/code>/.exec(html)?.[1]
  const clientIdOn = (html: string) => /<th scope="row">Client id<\/th><td>(cli_[^<]+)<\/td>/.exec(html)?.[1]

  /** A client created through the console form; its secret key as the page showed it, once. */
  const createdClient = async (form: Record<string, string | string[]> = {}) => {
    const created = await post(admin, '/console/clients', {
      name: 'Console Wallet',
      mode: 'sandbox',
      regions: 'intl',
      ...form,
    })
    expect(created.statusCode, created.body).toBe(200)
    const secretKey = secretOn(created.body) as string
    const id = clientIdOn(created.body) as string
    const clientKey = /x-client-key\)<\/th><td><code>([^<]+)<\/code>/.exec(created.body)?.[1] as string
    return { id, clientKey, secretKey }
  }

  describe('200', () => {
    it('an admin creates a client: the secret key is shown once and works; the creation is audited', async () => {
      const { id, clientKey, secretKey } = await createdClient({
        redirectUris: 'https://wallet.example.com/cb\nio.example.wallet://cb',
        allowedOrigins: 'https://wallet.example.com',
      })
      expect(secretKey).toMatch(/^vsk_test_/)
      const read = await clientApi(clientKey, secretKey)
      expect(read.statusCode).toBe(200)
      expect(read.json()).toMatchObject({
        redirectUris: ['https://wallet.example.com/cb', 'io.example.wallet://cb'],
        allowedOrigins: ['https://wallet.example.com'],
      })
      const list = await page(admin, '/console/clients')
      expect(list.statusCode).toBe(200)
      expect(list.body).toContain(`/console/clients/${id}`)
      const shown = await page(admin, `/console/clients/${id}`)
      expect(shown.statusCode).toBe(200)
      expect(shown.body).not.toContain(secretKey)
      expect(await homeAudit(id)).toEqual([{ actor: `staff:${admin.id}`, action: 'client.create' }])
    })

    it('saves settings (a region added), which the API sees at once', async () => {
      const { id, clientKey, secretKey } = await createdClient()
      // Read once, so the client cache holds the old settings.
      expect((await clientApi(clientKey)).statusCode).toBe(200)
      const saved = await post(admin, `/console/clients/${id}/settings`, {
        regions: ['intl', 'us'],
        redirectUris: 'https://wallet.example.com/return',
        allowedOrigins: '',
        frameAncestors: 'https://*.wallet.example.com',
        requireProofOfAddress: 'true',
        returnUrl: 'https://wallet.example.com/done',
      })
      await changed(saved, id, 'Settings saved.')
      const read = (await clientApi(clientKey, secretKey)).json()
      expect(read).toMatchObject({
        regions: ['intl', 'us'],
        redirectUris: ['https://wallet.example.com/return'],
        allowedOrigins: [],
        frameAncestors: ['https://*.wallet.example.com'],
        requireProofOfAddress: true,
        returnUrl: 'https://wallet.example.com/done',
      })
      // The entry says what changed, not what the form sent.
      const [update] = (
        await listAuditEntries(t.runtime.databases.home.db, { subjectId: id, limit: 10 })
      ).filter((entry) => entry.action === 'client.update')
      expect(update?.details).toEqual({
        fields: ['frameAncestors', 'redirectUris', 'regions', 'requireProofOfAddress', 'returnUrl'],
        frameAncestorsAdded: ['https://*.wallet.example.com'],
        redirectUrisAdded: ['https://wallet.example.com/return'],
        regionsAdded: ['us'],
      })
      // The same form again changes nothing, and writes nothing.
      const again = await post(admin, `/console/clients/${id}/settings`, {
        regions: ['intl', 'us'],
        redirectUris: 'https://wallet.example.com/return',
        allowedOrigins: '',
        frameAncestors: 'https://*.wallet.example.com',
        requireProofOfAddress: 'true',
        returnUrl: 'https://wallet.example.com/done',
      })
      await changed(again, id, 'Nothing changed')
      expect((await homeAudit(id)).filter((entry) => entry.action === 'client.update')).toHaveLength(1)
    })

    it('rotates the secret key (shown once; the old one refused at once) and disables the client', async () => {
      const { id, clientKey, secretKey } = await createdClient()
      // The client's name typed again, or nothing happens.
      const unconfirmed = await post(admin, `/console/clients/${id}/secret`, { confirm: 'Console' })
      expect(unconfirmed.statusCode).toBe(422)
      expect(unconfirmed.body).toContain('name exactly to confirm; nothing was rotated.')
      expect((await clientApi(clientKey, secretKey)).statusCode).toBe(200)
      const rotated = await post(admin, `/console/clients/${id}/secret`, { confirm: 'Console Wallet' })
      expect(rotated.statusCode).toBe(200)
      const newSecret = secretOn(rotated.body) as string
      expect(newSecret).not.toBe(secretKey)
      expect((await clientApi(clientKey, secretKey)).statusCode).toBe(401)
      expect((await clientApi(clientKey, newSecret)).statusCode).toBe(200)

      expect((await post(admin, `/console/clients/${id}/disable`, { confirm: '' })).statusCode).toBe(422)
      expect((await clientApi(clientKey)).statusCode).toBe(200)
      const disabled = await post(admin, `/console/clients/${id}/disable`, { confirm: ' Console Wallet ' })
      await changed(disabled, id, 'Client disabled')
      expect((await clientApi(clientKey)).statusCode).toBe(498)
      // A disabled client gets no new secret.
      expect(
        (await post(admin, `/console/clients/${id}/secret`, { confirm: 'Console Wallet' })).statusCode,
      ).toBe(409)
      // Enabled again, with the secret it had.
      await changed(await post(admin, `/console/clients/${id}/enable`, {}), id, 'Client enabled')
      expect((await clientApi(clientKey, newSecret)).statusCode).toBe(200)
      expect(await homeAudit(id)).toEqual([
        { actor: `staff:${admin.id}`, action: 'client.create' },
        { actor: `staff:${admin.id}`, action: 'client.rotate_secret' },
        { actor: `staff:${admin.id}`, action: 'client.disable' },
        { actor: `staff:${admin.id}`, action: 'client.enable' },
      ])
    })

    it("shows a client's webhook endpoints and their log; sends a test event and replays it, audited", async () => {
      const { id, clientKey, secretKey } = await createdClient()
      const hook = await management(t.app, clientKey, secretKey).create({
        name: 'backend',
        url: receiver.url,
        event_types: ['*'],
        is_active: false,
      })
      const before = receiver.deliveries.length
      const tested = await post(admin, `/console/clients/${id}/webhooks/${hook.id}/test`, { region: 'intl' })
      await changed(tested, id, 'Test event queued')
      await eventually(() => expect(receiver.deliveries.length).toBe(before + 1), 15_000)
      const eventId = (JSON.parse(receiver.deliveries.at(-1)?.body ?? '{}') as { event_id: string }).event_id

      // The log shows the attempt; the event can be sent again.
      const shown = await eventually(async () => {
        const response = await page(admin, `/console/clients/${id}`)
        expect(response.body).toContain('webhook.test')
        expect(response.body).toContain(`/console/clients/${id}/events/${eventId}/replay`)
        return response
      })
      expect(shown.body).toContain('backend')
      const replayed = await post(admin, `/console/clients/${id}/events/${eventId}/replay`, {
        region: 'intl',
      })
      await changed(replayed, id, 'Event queued again')
      await eventually(() => expect(receiver.deliveries.length).toBe(before + 2), 15_000)

      const activated = await post(admin, `/console/clients/${id}/webhooks/${hook.id}/activate`, {})
      await changed(activated, id, 'Endpoint active')

      const actor = `staff:${admin.id}`
      expect(await homeAudit(eventId)).toEqual([
        { actor, action: 'webhook.test' },
        { actor, action: 'webhook.replay' },
      ])
      expect(await homeAudit(hook.id)).toEqual([
        { actor: `client:${id}`, action: 'webhook.create' },
        { actor, action: 'webhook.update' },
      ])
      expect((await verifyAuditChain(t.runtime.databases.home, t.runtime.keys)).ok).toBe(true)
    })
  })

  describe('403', () => {
    it('a reviewer and an auditor are refused the client pages and actions; nothing is created', async () => {
      const { id } = await createdClient()
      for (const member of [reviewer, auditor]) {
        expect((await page(member, '/console/clients')).statusCode).toBe(403)
        expect((await page(member, `/console/clients/${id}`)).statusCode).toBe(403)
        const before = (await page(admin, '/console/clients')).body.split('<tr>').length
        const refused = await post(member, '/console/clients', {
          name: 'x',
          mode: 'sandbox',
          regions: 'intl',
        })
        expect(refused.statusCode).toBe(403)
        expect((await page(admin, '/console/clients')).body.split('<tr>').length).toBe(before)
        expect(
          (await post(member, `/console/clients/${id}/disable`, { confirm: 'Console Wallet' })).statusCode,
        ).toBe(403)
      }
      expect((await page(reviewer, '/console')).body).not.toContain('/console/clients')
      expect((await page(admin, '/console')).body).toContain('/console/clients')
    })

    it('a form without the page token is refused and rotates nothing', async () => {
      const { id, clientKey, secretKey } = await createdClient()
      const refused = await post(
        admin,
        `/console/clients/${id}/secret`,
        { confirm: 'Console Wallet' },
        'not-the-token',
      )
      expect(refused.statusCode).toBe(403)
      expect((await clientApi(clientKey, secretKey)).statusCode).toBe(200)
    })
  })

  describe('404', () => {
    it("an unknown client, another client's endpoint or event, a region the client does not serve", async () => {
      const first = await createdClient()
      const second = await createdClient()
      const hook = await management(t.app, second.clientKey, second.secretKey).create({
        name: 'theirs',
        url: receiver.url,
        event_types: ['*'],
        is_active: true,
      })
      expect((await page(admin, '/console/clients/cli_unknown')).statusCode).toBe(404)
      expect(
        (await post(admin, `/console/clients/${first.id}/webhooks/${hook.id}/test`, { region: 'intl' }))
          .statusCode,
      ).toBe(404)
      expect(
        (await post(admin, `/console/clients/${second.id}/webhooks/${hook.id}/test`, { region: 'us' }))
          .statusCode,
      ).toBe(404)
      expect(
        (
          await post(
            admin,
            `/console/clients/${first.id}/events/00000000-0000-4000-8000-000000000000/replay`,
            {
              region: 'intl',
            },
          )
        ).statusCode,
      ).toBe(404)
    })
  })

  describe('422', () => {
    it('a client without a region or with a bad redirect URI comes back with the message; nothing created', async () => {
      const before = (await page(admin, '/console/clients')).body.split('<tr>').length
      const noRegion = await post(admin, '/console/clients', { name: 'No region', mode: 'sandbox' })
      expect(noRegion.statusCode).toBe(422)
      expect(noRegion.body).toContain('regions: at least one region is required')
      expect(noRegion.body).toContain('value="No region"')
      const badUri = await post(admin, '/console/clients', {
        name: 'Bad URI',
        mode: 'live',
        regions: 'intl',
        redirectUris: 'http://wallet.example.com/cb',
      })
      expect(badUri.statusCode).toBe(422)
      expect(badUri.body).toContain('must use https')
      expect((await page(admin, '/console/clients')).body.split('<tr>').length).toBe(before)
    })

    it('a region cannot be taken away from a client; the settings stay as they were', async () => {
      const { id, clientKey, secretKey } = await createdClient({ regions: ['intl', 'us'] })
      const refused = await post(admin, `/console/clients/${id}/settings`, {
        regions: 'intl',
        redirectUris: 'https://changed.example.com/cb',
        requireProofOfAddress: 'false',
      })
      expect(refused.statusCode).toBe(422)
      expect(refused.body).toContain('a region cannot be removed (us)')
      expect((await clientApi(clientKey, secretKey)).json()).toMatchObject({
        regions: ['intl', 'us'],
        redirectUris: [],
      })
    })
  })
})
