import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { disableClient } from '../../src/modules/clients/index.ts'
import { setUserSuspended } from '../../src/modules/operator/index.ts'
import { buildTestApp, TEST_ACTOR, type TestApp } from '../helpers/app.ts'
import { currentUser, registerSandboxUser, startVerification, type TestUser } from '../helpers/capture.ts'
import { eventually } from '../helpers/databases.ts'
import { DIALECTS } from '../helpers/dialects.ts'
import { type Browser, flowClient, linkPath, openLink } from '../helpers/sessions.ts'

const fixture = (name: string) => readFile(join(import.meta.dirname, '..', 'fixtures', name))

const smallPhoto = () =>
  sharp(randomBytes(400 * 300 * 3), { raw: { width: 400, height: 300, channels: 3 } })
    .jpeg()
    .toBuffer()

describe.each(DIALECTS)('hosted capture, issue #10 findings (%s)', (dialect) => {
  let t: TestApp
  let sandbox: Awaited<ReturnType<TestApp['createClient']>>

  beforeAll(async () => {
    // One decode at a time and one waiting, so that the bounds can be reached with a few uploads.
    t = await buildTestApp(dialect, { worker: true, env: { DECODE_CONCURRENCY: '1', DECODE_QUEUE: '1' } })
    sandbox = await t.createClient({ name: 'Acme Wallet', mode: 'sandbox', regions: ['intl'] })
  }, 60_000)
  afterAll(() => t.close())

  const opened = async (clientKey = sandbox.client.clientKey) => {
    const user = await registerSandboxUser(t, clientKey)
    const url = await startVerification(t, clientKey, user)
    const browser: Browser = {}
    expect((await openLink(t.app, url, browser)).statusCode).toBe(303)
    return { user, url, browser, flow: flowClient(t.app, browser) }
  }

  const throughDocument = async (flow: ReturnType<typeof flowClient>) => {
    await flow.form('consent', { csrf: await flow.token('consent'), consent: 'yes' })
    await flow.form('document', {
      csrf: await flow.token('document'),
      documentType: 'passport',
      issuingCountry: 'GB',
    })
  }

  const attempts = async (user: TestUser) =>
    (
      await user.database.db
        .selectFrom('capture_progress')
        .innerJoin('verification_session', 'verification_session.id', 'capture_progress.session_id')
        .select('capture_progress.upload_attempts')
        .where('verification_session.user_id', '=', user.id)
        .executeTakeFirstOrThrow()
    ).upload_attempts

  const documents = (user: TestUser) =>
    user.database.db.selectFrom('document_file').selectAll().where('user_id', '=', user.id).execute()

  /**
   * Takes the one decode slot (DECODE_CONCURRENCY=1) until released, as a long decode would, so that
   * what waits and what is refused does not depend on how fast this machine decodes.
   */
  const holdDecodeSlot = () => {
    let release = () => {}
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    void t.runtime.decodes.run('a decode that takes its time', () => held)
    return { release: () => release() }
  }
  /** Resolves once `count` uploads wait for the slot. */
  const queued = (count: number) => eventually(() => expect(t.runtime.decodes.queued).toBe(count))

  describe('#6 decode storms', () => {
    it('refuses a tiny file that declares a huge picture (WebP, HEIC) before decoding it', async () => {
      const { user, flow } = await opened()
      await throughDocument(flow)
      const webp = await sharp({ create: { width: 7000, height: 7000, channels: 3, background: '#eee' } })
        .webp({ lossless: true })
        .toBuffer()
      expect(webp.length).toBeLessThan(4000)
      for (const [label, bomb] of [
        ['WebP', webp],
        ['HEIC', await fixture('bomb-35mp.heic')],
      ] as const) {
        const refused = await flow.upload('front', await flow.token('front'), bomb, { json: true })
        expect(refused.statusCode, label).toBe(422)
        expect(refused.json(), label).toMatchObject({
          errorCode: 'UNSUPPORTED_UPLOAD',
          message: expect.stringMatching(/does not look like a camera photo/),
        })
      }
      expect(await documents(user)).toEqual([])
      // A real phone-sized photo still goes through.
      const accepted = await flow.upload('front', await flow.token('front'), await smallPhoto(), {
        json: true,
      })
      expect(accepted.statusCode).toBe(200)
    })

    it('decodes one upload per session at a time, and answers 503 with Retry-After when the queue is full', async () => {
      const first = await opened()
      const second = await opened()
      for (const session of [first, second]) await throughDocument(session.flow)
      const slot = holdDecodeSlot()
      try {
        const firstToken = await first.flow.token('front')
        const waiting = first.flow.upload('front', firstToken, await smallPhoto(), { json: true })
        await queued(1)

        // The same session again while its upload waits: refused at once, not queued.
        const twice = await first.flow.upload('front', firstToken, await smallPhoto(), { json: true })
        expect(twice.statusCode, 'same session').toBe(409)
        expect(twice.json().errorCode, 'same session').toBe('UPLOAD_IN_PROGRESS')

        // Another session finds the one queue place taken.
        const busy = await second.flow.upload('front', await second.flow.token('front'), await smallPhoto(), {
          json: true,
        })
        expect(busy.statusCode, 'queue full').toBe(503)
        expect(busy.headers['retry-after'], 'queue full').toBe('5')
        expect(busy.json(), 'queue full').toMatchObject({
          errorCode: 'UPLOADS_BUSY',
          message: expect.stringMatching(/try again/),
        })
        // Refused for load: not counted against the session's upload budget.
        expect(await attempts(second.user), 'attempts of the refused session').toBe(0)

        slot.release()
        expect((await waiting).statusCode, 'the waiting upload, once the slot is free').toBe(200)
      } finally {
        slot.release()
      }
      const retried = await second.flow.upload(
        'front',
        await second.flow.token('front'),
        await smallPhoto(),
        {
          json: true,
        },
      )
      expect(retried.statusCode, 'the refused session, retrying').toBe(200)
    }, 60_000)

    it('checks the step again after waiting for a decode slot, and does not decode a stale upload', async () => {
      const session = await opened()
      await throughDocument(session.flow)
      const slot = holdDecodeSlot()
      try {
        const waiting = session.flow.upload('front', await session.flow.token('front'), await smallPhoto(), {
          json: true,
        })
        await queued(1)
        // Meanwhile, in another tab, the user picks another document: the waiting upload is out of date.
        const changed = await session.flow.form('document', {
          csrf: await session.flow.token('document'),
          documentType: 'id_card',
          issuingCountry: 'GB',
        })
        expect(changed.statusCode).toBe(303)
        slot.release()
        const stale = await waiting
        expect(stale.statusCode).toBe(403)
        expect(stale.json().errorCode).toBe('CSRF_REJECTED')
      } finally {
        slot.release()
      }
      expect(await attempts(session.user)).toBe(0)
      expect(await documents(session.user)).toEqual([])
    }, 60_000)
  })

  describe('#4 suspended users and disabled clients', () => {
    const submitted = async (session: Awaited<ReturnType<typeof opened>>) => {
      await throughDocument(session.flow)
      for (const step of ['front', 'selfie'])
        expect(
          (await session.flow.upload(step, await session.flow.token(step), await smallPhoto())).statusCode,
          step,
        ).toBe(303)
    }

    it('shows a suspended user the 403 page on the link and in the flow, refuses uploads and submission', async () => {
      const session = await opened()
      await submitted(session)
      const reviewToken = await session.flow.token('review')
      const other = await registerSandboxUser(t, sandbox.client.clientKey)
      const otherUrl = await startVerification(t, sandbox.client.clientKey, other)
      await setUserSuspended(t.runtime, session.user.id, true, TEST_ACTOR)
      await setUserSuspended(t.runtime, other.id, true, TEST_ACTOR)

      for (const path of ['/verify', '/verify/flow/review']) {
        const page = await session.flow.page(path)
        expect(page.statusCode, path).toBe(403)
        expect(page.body, path).toContain('This verification is not available')
      }
      const upload = await session.flow.upload('front', reviewToken, await smallPhoto(), { json: true })
      expect(upload.statusCode).toBe(403)
      expect(upload.json().errorCode).toBe('ACCOUNT_DISABLED')
      const submit = await session.flow.form('review', { csrf: reviewToken })
      expect(submit.statusCode).toBe(403)
      expect(submit.body).toContain('This verification is not available')
      // A fresh link of a suspended user: the page and the claim answer 403, nothing is claimed.
      expect((await t.app.inject({ method: 'GET', url: linkPath(otherUrl) })).statusCode).toBe(403)
      expect((await openLink(t.app, otherUrl, {})).statusCode).toBe(403)
      const claims = await other.database.db
        .selectFrom('session_claim')
        .innerJoin('verification_session', 'verification_session.id', 'session_claim.session_id')
        .select('session_claim.session_id')
        .where('verification_session.user_id', '=', other.id)
        .execute()
      expect(claims).toEqual([])
      // Nothing was lost: the documents are still there for when the account is reinstated.
      expect(await documents(session.user)).toHaveLength(2)
      const user = await session.user.database.db
        .selectFrom('app_user')
        .select('verification_state')
        .where('id', '=', session.user.id)
        .executeTakeFirstOrThrow()
      expect(user.verification_state).toBe('UNVERIFIED')
    })

    it('sends a submission of a user suspended meanwhile to review with a reason, not to VERIFIED', async () => {
      // No worker in this app: the check job runs only after the suspension.
      const quiet = await buildTestApp(dialect)
      try {
        const client = await quiet.createClient({ mode: 'sandbox', regions: ['intl'] })
        const users = []
        for (const block of ['suspend', 'disable'] as const) {
          const owner =
            block === 'disable' ? await quiet.createClient({ mode: 'sandbox', regions: ['intl'] }) : client
          const user = await registerSandboxUser(quiet, owner.client.clientKey)
          const browser: Browser = {}
          await openLink(quiet.app, await startVerification(quiet, owner.client.clientKey, user), browser)
          const flow = flowClient(quiet.app, browser)
          await throughDocument(flow)
          await flow.upload('front', await flow.token('front'), await smallPhoto())
          await flow.upload('selfie', await flow.token('selfie'), await smallPhoto())
          expect((await flow.form('review', { csrf: await flow.token('review') })).statusCode).toBe(303)
          if (block === 'suspend') await setUserSuspended(quiet.runtime, user.id, true, TEST_ACTOR)
          else await disableClient(quiet.runtime, owner.client.id, TEST_ACTOR)
          users.push({ user, code: block === 'suspend' ? 'ACCOUNT_SUSPENDED' : 'CLIENT_DISABLED' })
        }
        const { createWorker } = await import('../../src/runtime.ts')
        const worker = createWorker(quiet.runtime, { pollIntervalMs: 20 })
        worker.start()
        try {
          for (const { user, code } of users)
            await eventually(async () => {
              const session = await user.database.db
                .selectFrom('verification_session')
                .select(['outcome', 'reasons'])
                .where('user_id', '=', user.id)
                .executeTakeFirstOrThrow()
              expect(session.outcome, code).toBe('review')
              expect(JSON.parse(session.reasons), code).toMatchObject([{ code }])
            })
        } finally {
          await worker.stop()
        }
        for (const { user, code } of users) {
          const row = await user.database.db
            .selectFrom('app_user')
            .select('verification_state')
            .where('id', '=', user.id)
            .executeTakeFirstOrThrow()
          expect(row.verification_state, code).toBe('PENDING')
        }
      } finally {
        await quiet.close()
      }
    }, 60_000)

    it('shows the users of a disabled client the 403 page', async () => {
      const other = await t.createClient({ name: 'Gone Wallet', mode: 'sandbox', regions: ['intl'] })
      const session = await opened(other.client.clientKey)
      await throughDocument(session.flow)
      const token = await session.flow.token('front')
      await disableClient(t.runtime, other.client.id, TEST_ACTOR)
      expect((await session.flow.page('/verify')).statusCode).toBe(403)
      const upload = await session.flow.upload('front', token, await smallPhoto(), { json: true })
      expect(upload.statusCode).toBe(403)
      expect(upload.json().errorCode).toBe('NOT_AUTHORIZED')
      expect((await t.app.inject({ method: 'GET', url: linkPath(session.url) })).statusCode).toBe(403)
    })
  })

  describe('#15 the claim refuses cross-site requests', () => {
    const claim = (url: string, headers: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url: linkPath(url),
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        payload: '',
      })

    it('answers 403 to another site (Sec-Fetch-Site, or Origin without it) and claims nothing; its own page and old browsers claim', async () => {
      const user = await registerSandboxUser(t, sandbox.client.clientKey)
      const url = await startVerification(t, sandbox.client.clientKey, user)
      const crossSiteHeaders: Record<string, string>[] = [
        { 'sec-fetch-site': 'cross-site' },
        { 'sec-fetch-site': 'same-site' },
        { origin: 'https://evil.example' },
        { 'sec-fetch-site': 'cross-site', origin: 'null' },
        { 'sec-fetch-site': 'same-site', origin: 'http://localhost:3000' },
      ]
      for (const headers of crossSiteHeaders) {
        const refused = await claim(url, headers)
        expect(refused.statusCode, JSON.stringify(headers)).toBe(403)
        expect(refused.body, JSON.stringify(headers)).toContain('Open the link directly')
        expect(refused.headers['set-cookie'], JSON.stringify(headers)).toBeUndefined()
      }
      const session = await user.database.db
        .selectFrom('verification_session')
        .select('status')
        .where('user_id', '=', user.id)
        .executeTakeFirstOrThrow()
      expect(session.status).toBe('issued')
      // What Chromium sends from the link's own page (which has no referrer, hence Origin: null).
      const own = await claim(url, { 'sec-fetch-site': 'same-origin', origin: 'null' })
      expect(own.statusCode).toBe(303)
      // An old browser (neither header) on another user's link.
      const old = await registerSandboxUser(t, sandbox.client.clientKey)
      expect((await claim(await startVerification(t, sandbox.client.clientKey, old), {})).statusCode).toBe(
        303,
      )
    })
  })

  describe('#16 a claimed link', () => {
    it("answers another browser's GET with 410 at once; the claiming browser goes on", async () => {
      const { url, browser } = await opened()
      const other = await t.app.inject({ method: 'GET', url: linkPath(url) })
      expect(other.statusCode).toBe(410)
      expect(other.body).toContain('This link has already been used')
      expect(other.body).not.toContain('<form')
      const again = await t.app.inject({
        method: 'GET',
        url: linkPath(url),
        headers: { cookie: browser.cookie as string },
      })
      expect(again.statusCode).toBe(303)
      expect(again.headers.location).toBe('/verify')
    })

    it('keeps an onboarding link openable from any device until it is submitted', async () => {
      const user = await registerSandboxUser(t, sandbox.client.clientKey)
      const response = await t.app.inject({
        method: 'POST',
        url: '/v1/auth/register/verification',
        headers: { 'x-client-key': sandbox.client.clientKey },
        payload: { onboardingId: user.onboardingId },
      })
      const { sessionUrl } = response.json()
      expect((await openLink(t.app, sessionUrl, {})).statusCode).toBe(303)
      expect((await t.app.inject({ method: 'GET', url: linkPath(sessionUrl) })).statusCode).toBe(200)
      expect((await currentUser(t, sandbox.client.clientKey, user)).verificationState).toBe('UNVERIFIED')
    })
  })
})
