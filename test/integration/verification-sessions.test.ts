import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DAY_MS, HOUR_MS } from '../../src/lib/clock.ts'
import { createLogger } from '../../src/lib/logger.ts'
import { describeUser } from '../../src/modules/operator/index.ts'
import { type Decision, decide, reason, submitSession } from '../../src/modules/verification/index.ts'
import { createWorker } from '../../src/runtime.ts'
import { api } from '../helpers/accounts.ts'
import { buildTestApp, type TestApp } from '../helpers/app.ts'
import { registerSandboxUser } from '../helpers/capture.ts'
import { eventually } from '../helpers/databases.ts'
import { DIALECTS } from '../helpers/dialects.ts'
import { holdAfter, someoneWaitsForRowLock, updateOf } from '../helpers/interleaving.ts'
import { type Browser, linkPath, openLink, showFlow } from '../helpers/sessions.ts'

describe.each(DIALECTS)('verification sessions (%s)', (dialect) => {
  let t: TestApp
  let sandbox: Awaited<ReturnType<TestApp['createClient']>>
  let live: Awaited<ReturnType<TestApp['createClient']>>
  const logLines: string[] = []

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logLines.push(String(chunk))
        done()
      },
    })
    t = await buildTestApp(dialect, { worker: true, log: createLogger('info', sink) })
    sandbox = await t.createClient({ name: 'sandbox', mode: 'sandbox', regions: ['intl', 'us'] })
    live = await t.createClient({ name: 'live', mode: 'live', regions: ['intl'] })
  })
  afterAll(() => t.close())

  /** A registered sandbox user; `lastName` Approved/Rejected/Pending picks the sandbox decision. */
  const newUser = (lastName = 'Doe', region: 'intl' | 'us' = 'intl') =>
    registerSandboxUser(
      t,
      sandbox.client.clientKey,
      lastName === 'Doe' ? { firstName: 'Jane', lastName, region } : { lastName, region },
    )

  /** Like a real client: on a 401 (the 6 h token ran out while the test clock jumped) log in again once and replay. */
  const startSession = async (user: { token: string; email: string; region: 'intl' | 'us' }) => {
    const http = api(t.app, sandbox.client.clientKey, user.region)
    let response = await http.get('/v1/user/verification', { authorization: `Bearer ${user.token}` })
    if (response.statusCode === 401) {
      user.token = (
        await http.post('/v1/auth/login', { email: user.email, password: 'correct horse battery' })
      ).json().accessToken
      response = await http.get('/v1/user/verification', { authorization: `Bearer ${user.token}` })
    }
    return response
  }
  const userState = async (user: { id: string; database: TestApp['runtime']['databases']['home'] }) =>
    await user.database.db
      .selectFrom('app_user')
      .select(['verification_state', 'state_version'])
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow()
  const openAndSubmit = async (user: Awaited<ReturnType<typeof newUser>>) => {
    const session = (await startSession(user)).json()
    expect((await openLink(t.app, session.sessionUrl)).statusCode).toBe(303)
    await submitSession(t.runtime, user.database, session.sessionId, true)
    return session
  }

  describe('200', () => {
    it('issues a single-use link under PUBLIC_URL, valid 24 h, with the daily quota in RateLimit headers', async () => {
      const user = await newUser()
      const response = await startSession(user)
      expect(response.statusCode).toBe(200)
      expect(response.json()).toEqual({
        sessionUrl: expect.stringMatching(
          /^http:\/\/localhost:3000\/verify\/i\.ses_[0-9A-Z]{26}\.[A-Za-z0-9_-]{43}$/,
        ),
        sessionId: expect.stringMatching(/^ses_/),
        expiresAt: new Date(t.clock.now() + DAY_MS).toISOString(),
      })
      expect(response.headers).toMatchObject({
        'ratelimit-limit': '10',
        'ratelimit-remaining': '9',
        'ratelimit-reset': '86400',
      })
    })

    it('opens the link in one browser, which may come back; every other browser gets 410', async () => {
      const user = await newUser()
      const { sessionUrl } = (await startSession(user)).json()
      // The page itself changes nothing: a link preview does not use up the link.
      const page = await t.app.inject({ method: 'GET', url: linkPath(sessionUrl) })
      expect(page.statusCode).toBe(200)
      expect(page.headers['content-security-policy']).toMatch(/script-src 'nonce-[^']+'/)
      const first: Browser = {}
      const claim = await openLink(t.app, sessionUrl, first)
      expect(claim.statusCode).toBe(303)
      expect(claim.headers.location).toBe('/verify')
      expect(String(claim.headers['set-cookie'])).toMatch(
        /^verity_session=[^;]+; Path=\/verify; Expires=[^;]+; HttpOnly; SameSite=Strict$/,
      )
      expect((await showFlow(t.app, first)).statusCode).toBe(200)
      // Same browser, again: continues.
      expect((await openLink(t.app, sessionUrl, first)).statusCode).toBe(303)
      // Another browser: the used-link page.
      const other = await openLink(t.app, sessionUrl, {})
      expect(other.statusCode).toBe(410)
      expect(other.body).toContain('This link has already been used')
      expect((await showFlow(t.app, {})).statusCode).toBe(404)
    })

    it('lets exactly one of 20 browsers opening the same link at once claim it', async () => {
      const user = await newUser()
      const { sessionUrl, sessionId } = (await startSession(user)).json()
      const browsers: Browser[] = Array.from({ length: 20 }, () => ({}))
      const results = await Promise.all(browsers.map((browser) => openLink(t.app, sessionUrl, browser)))
      expect(results.filter((result) => result.statusCode === 303)).toHaveLength(1)
      expect(results.filter((result) => result.statusCode === 410)).toHaveLength(19)
      const claims = await user.database.db
        .selectFrom('session_claim')
        .selectAll()
        .where('session_id', '=', sessionId)
        .execute()
      expect(claims).toHaveLength(1)
      const flows = await Promise.all(browsers.map((browser) => showFlow(t.app, browser)))
      expect(flows.filter((flow) => flow.statusCode === 200)).toHaveLength(1)
    })

    it('keeps a verified user VERIFIED during a re-verification, then takes its decision', async () => {
      const user = await newUser('Approved')
      await openAndSubmit(user)
      await eventually(async () => expect((await userState(user)).verification_state).toBe('VERIFIED'))
      const again = await openAndSubmit(user)
      expect(await userState(user)).toMatchObject({ verification_state: 'VERIFIED', state_version: 2 })
      // The sandbox job approves it again: no change, no new version.
      await eventually(async () => {
        const sessions = (
          await api(t.app, sandbox.client.clientKey).get('/v1/user/verification/sessions', {
            authorization: `Bearer ${user.token}`,
          })
        ).json().sessions
        expect(sessions.find((session: { id: string }) => session.id === again.sessionId).outcome).toBe(
          'approved',
        )
      })
      expect(await userState(user)).toMatchObject({ verification_state: 'VERIFIED', state_version: 2 })
    })

    it('hands out the same onboarding link until it is submitted, openable from several devices', async () => {
      const user = await newUser()
      const http = api(t.app, sandbox.client.clientKey)
      const first = await http.post('/v1/auth/register/verification', { onboardingId: user.onboardingId })
      expect(first.statusCode).toBe(200)
      expect(first.json().expiresAt).toBe(new Date(t.clock.now() + 7 * DAY_MS).toISOString())
      const second = await http.post('/v1/auth/register/verification/start', {
        onboardingId: user.onboardingId,
      })
      expect(second.json()).toEqual(first.json())
      const laptop: Browser = {}
      const phone: Browser = {}
      expect((await openLink(t.app, first.json().sessionUrl, laptop)).statusCode).toBe(303)
      expect((await openLink(t.app, first.json().sessionUrl, phone)).statusCode).toBe(303)
      expect((await showFlow(t.app, laptop)).statusCode).toBe(200)
      expect((await showFlow(t.app, phone)).statusCode).toBe(200)
      await submitSession(t.runtime, user.database, first.json().sessionId, true)
      expect((await openLink(t.app, first.json().sessionUrl, {})).body).toContain('already submitted')
    })
  })

  describe('decisions', () => {
    // No worker here: its check job would be a third decider, at a moment nobody controls.
    let quiet: TestApp
    let quietKey: string
    beforeAll(async () => {
      quiet = await buildTestApp(dialect)
      quietKey = (await quiet.createClient({ name: 'deciders', mode: 'sandbox' })).client.clientKey
    })
    afterAll(() => quiet.close())

    const rejection: Decision = { outcome: 'rejected', reasons: [reason('DOCUMENT_EXPIRED')] }
    const review: Decision = { outcome: 'review', reasons: [] }

    /** A submitted, undecided session (its check job waits in the queue). */
    const submittedSession = async () => {
      const user = await registerSandboxUser(quiet, quietKey, { firstName: 'Jane', lastName: 'Doe' })
      const started = await api(quiet.app, quietKey).get('/v1/user/verification', {
        authorization: `Bearer ${user.token}`,
      })
      const { sessionUrl, sessionId } = started.json()
      expect((await openLink(quiet.app, sessionUrl)).statusCode).toBe(303)
      await submitSession(quiet.runtime, user.database, sessionId, false)
      return { user, sessionId: sessionId as string }
    }
    const storedDecision = (user: { database: TestApp['runtime']['databases']['home'] }, sessionId: string) =>
      user.database.db
        .selectFrom('verification_session')
        .select(['outcome', 'reasons'])
        .where('id', '=', sessionId)
        .executeTakeFirstOrThrow()

    // The first decider is held inside its transaction after writing its outcome (holding the user's
    // lock) until the second one is waiting for that lock: the two really overlap, in a known order, on
    // both dialects. On PostgreSQL the second one has already read the session as undecided by then.
    it.each([
      ['a review arriving while a rejection commits changes nothing', rejection, review, [true, false]],
      ['a rejection arriving while a review commits replaces it', review, rejection, [true, true]],
    ] as const)('%s', async (_name, first, second, applied) => {
      const { user, sessionId } = await submittedSession()
      const held = holdAfter(quiet.runtime.databases, user.region, updateOf('verification_session'))
      const heldDeps = { clock: quiet.runtime.clock, verificationChanges: quiet.runtime.verificationChanges }
      const firstDecider = decide(heldDeps, held.database, sessionId, first)
      await held.reached
      let secondSettled = false
      const secondDecider = decide(quiet.runtime, user.database, sessionId, second).finally(() => {
        secondSettled = true
      })
      try {
        await someoneWaitsForRowLock(user.database, 'app_user')
        expect(secondSettled, 'the second decider waits for the first').toBe(false)
      } finally {
        // Also on failure: a transaction left open would hold the database for every later test.
        held.release()
      }
      expect(await Promise.all([firstDecider, secondDecider]), 'applied (first, second)').toEqual(applied)
      expect(await storedDecision(user, sessionId)).toEqual({
        outcome: 'rejected',
        reasons: JSON.stringify([reason('DOCUMENT_EXPIRED')]),
      })
      expect(await userState(user)).toEqual({ verification_state: 'REJECTED', state_version: 2 })
    })

    it('a check job that comes after the final decision completes and leaves the decision', async () => {
      const { user, sessionId } = await submittedSession()
      expect(await decide(quiet.runtime, user.database, sessionId, rejection)).toBe(true)
      const worker = createWorker(quiet.runtime, { pollIntervalMs: 20 })
      worker.start()
      try {
        await eventually(async () => {
          const jobs = await user.database.db
            .selectFrom('job')
            .select('status')
            .where('type', '=', 'verification.check')
            .where('payload', 'like', `%${sessionId}%`)
            .execute()
          expect(jobs.map((job) => job.status)).toEqual(['done'])
        })
      } finally {
        await worker.stop()
      }
      expect((await storedDecision(user, sessionId)).outcome).toBe('rejected')
      expect(await userState(user)).toEqual({ verification_state: 'REJECTED', state_version: 2 })
    })
  })

  describe('404 and 410 pages', () => {
    it('forged, truncated and garbage links get the invalid-link page, never a 500', async () => {
      const user = await newUser()
      const { sessionUrl } = (await startSession(user)).json()
      const path = linkPath(sessionUrl)
      for (const bad of [
        // The last character changed (to one it is not, or the "forgery" would be the real link).
        `${path.slice(0, -1)}${path.endsWith('A') ? 'B' : 'A'}`,
        path.slice(0, -10),
        `${path}.x`,
        '/verify/garbage',
        `/verify/${'x'.repeat(150)}`,
        '/verify/u.ses_01ARZ3NDEKTSV4RRFFQ69G5FAV.abc',
      ]) {
        for (const method of ['GET', 'POST'] as const) {
          const response = await t.app.inject({
            method,
            url: bad,
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            payload: method === 'POST' ? '' : undefined,
          })
          // Over-long paths stop at the router (414); everything else gets the invalid-link page.
          expect([404, 414], `${method} ${bad}`).toContain(response.statusCode)
          if (response.statusCode === 404)
            expect(response.body, `${method} ${bad}`).toContain('This link is not valid')
        }
      }
    })

    it('an expired link gets the expired page', async () => {
      const user = await newUser()
      const { sessionUrl } = (await startSession(user)).json()
      const browser: Browser = {}
      await openLink(t.app, sessionUrl, browser)
      t.clock.advance(DAY_MS)
      expect((await t.app.inject({ method: 'GET', url: linkPath(sessionUrl) })).statusCode).toBe(410)
      const flow = await showFlow(t.app, browser)
      expect(flow.statusCode).toBe(410)
      expect(flow.body).toContain('This link has expired')
    })
  })

  describe('409', () => {
    it('refuses a new session while a submission is being checked or reviewed', async () => {
      const user = await newUser('Pending')
      await openAndSubmit(user)
      expect((await userState(user)).verification_state).toBe('PENDING')
      const refused = await startSession(user)
      expect([refused.statusCode, refused.json()]).toEqual([
        409,
        { message: 'Verification already in progress', errorCode: 'VERIFICATION_IN_PROGRESS' },
      ])
      // The sandbox puts "Test Pending" in review: still in progress.
      await eventually(async () => {
        const row = await user.database.db
          .selectFrom('verification_session')
          .select('outcome')
          .where('user_id', '=', user.id)
          .where('status', '=', 'submitted')
          .executeTakeFirstOrThrow()
        expect(row.outcome).toBe('review')
      })
      expect((await startSession(user)).statusCode).toBe(409)
    })
  })

  describe('429', () => {
    it('3_concurrent: of 50 parallel requests exactly 3 succeed, 47 are refused with the exact retryAfter', async () => {
      const user = await newUser()
      const responses = await Promise.all(Array.from({ length: 50 }, () => startSession(user)))
      expect(responses.filter((response) => response.statusCode === 200)).toHaveLength(3)
      const refused = responses.filter((response) => response.statusCode === 429)
      expect(refused).toHaveLength(47)
      for (const [index, response] of refused.entries()) {
        expect(response.json(), `refusal ${index}`).toEqual({
          message: 'Rate limit exceeded',
          errorCode: 'RATE_LIMITED',
          retryAfter: 86_400,
          limit: '3_concurrent',
        })
        expect(response.headers['retry-after'], `refusal ${index}`).toBe('86400')
      }
      t.clock.advance(HOUR_MS)
      expect((await startSession(user)).json()).toMatchObject({
        limit: '3_concurrent',
        retryAfter: 23 * 3600,
      })
    })

    it('24h_after_rejection: counted from the decision, to the second', async () => {
      const user = await newUser('Rejected')
      await openAndSubmit(user)
      await eventually(async () => expect((await userState(user)).verification_state).toBe('REJECTED'))
      expect((await startSession(user)).json()).toMatchObject({
        limit: '24h_after_rejection',
        retryAfter: 86_400,
      })
      // Each change is a numbered transition with its cause, shown to operators by `verity user show`.
      const { stateHistory } = await describeUser(t.runtime, user.id)
      expect(stateHistory.map((step) => `${step.version}:${step.from}>${step.to}:${step.cause}`)).toEqual([
        '1:UNVERIFIED>PENDING:submitted',
        '2:PENDING>REJECTED:decided:REJECTED',
      ])
      t.clock.advance(23 * HOUR_MS + 59 * 60_000)
      expect((await startSession(user)).json()).toMatchObject({
        limit: '24h_after_rejection',
        retryAfter: 60,
      })
      t.clock.advance(60_000)
      expect((await startSession(user)).statusCode).toBe(200)
      // The rejection reason is there for the client to show, with no need to call support.
      const sessions = (
        await api(t.app, sandbox.client.clientKey).get('/v1/user/verification/sessions', {
          authorization: `Bearer ${user.token}`,
        })
      ).json().sessions
      expect(sessions.find((session: { outcome: string }) => session.outcome === 'rejected').reasons).toEqual(
        [reason('FACE_MISMATCH')],
      )
    })

    it('3_per_hour: three consecutive failures (abandoned, resubmission) block until an hour after the third', async () => {
      const user = await newUser()
      const first = (await startSession(user)).json()
      await openLink(t.app, first.sessionUrl)
      t.clock.advance(60_000)
      const second = (await startSession(user)).json()
      await openLink(t.app, second.sessionUrl)
      await submitSession(t.runtime, user.database, second.sessionId, false)
      await decide(t.runtime, user.database, second.sessionId, {
        outcome: 'resubmission_required',
        reasons: [reason('POOR_IMAGE_QUALITY')],
      })
      expect((await userState(user)).verification_state).toBe('UNVERIFIED')
      t.clock.advance(60_000)
      const third = (await startSession(user)).json()
      await openLink(t.app, third.sessionUrl)
      // The third failure: the sessions run out while opened (abandoned at their expiry).
      t.clock.set(Date.parse(third.expiresAt))
      const refused = await startSession(user)
      expect(refused.json()).toEqual({
        message: 'Rate limit exceeded',
        errorCode: 'RATE_LIMITED',
        retryAfter: 3600,
        limit: '3_per_hour',
      })
      t.clock.advance(59 * 60_000)
      expect((await startSession(user)).json()).toMatchObject({ limit: '3_per_hour', retryAfter: 60 })
      t.clock.advance(60_000)
      expect((await startSession(user)).statusCode).toBe(200)
    })

    it('10_per_day: the 11th session in 24 h waits until the oldest turns 24 h old', async () => {
      const user = await newUser('Approved')
      for (let i = 0; i < 10; i++) {
        const session = await openAndSubmit(user)
        await eventually(async () => {
          const row = await user.database.db
            .selectFrom('verification_session')
            .select('outcome')
            .where('id', '=', session.sessionId)
            .executeTakeFirstOrThrow()
          expect(row.outcome).toBe('approved')
        })
        t.clock.advance(60_000)
      }
      const refused = await startSession(user)
      expect(refused.json()).toEqual({
        message: 'Rate limit exceeded',
        errorCode: 'RATE_LIMITED',
        retryAfter: 86_400 - 600,
        limit: '10_per_day',
      })
      t.clock.advance((86_400 - 600) * 1000)
      const allowed = await startSession(user)
      expect(allowed.statusCode).toBe(200)
      expect(allowed.headers['ratelimit-remaining']).toBe('0')
    })
  })

  describe('sandbox', () => {
    it('lists every magic value; live clients have no sandbox', async () => {
      const scenarios = await api(t.app, sandbox.client.clientKey).get('/v1/sandbox/scenarios')
      expect(scenarios.statusCode).toBe(200)
      expect(
        scenarios
          .json()
          .users.map(
            (user: { lastName: string; verificationState: string }) =>
              `${user.lastName}:${user.verificationState}`,
          ),
      ).toEqual(['Approved:VERIFIED', 'Rejected:REJECTED', 'Pending:PENDING'])
      expect(
        scenarios
          .json()
          .codes.map((code: { purpose: string; code: string }) => `${code.purpose}:${code.code}`),
      ).toEqual(['email:000000', 'phone:000000', 'login_otp:000000'])
      const forLive = await api(t.app, live.client.clientKey).get('/v1/sandbox/scenarios')
      expect(forLive.statusCode).toBe(404)
    })

    it("resets a test user's limits and cooldowns with the secret key", async () => {
      const user = await newUser('Rejected')
      await openAndSubmit(user)
      await eventually(async () => expect((await userState(user)).verification_state).toBe('REJECTED'))
      expect((await startSession(user)).statusCode).toBe(429)
      const path = `/v1/sandbox/users/${user.id}/reset-limits`
      expect((await api(t.app, sandbox.client.clientKey).post(path, {})).statusCode).toBe(401)
      expect(
        (await api(t.app, live.client.clientKey).post(path, {}, { 'x-secret-key': live.secretKey }))
          .statusCode,
      ).toBe(404)
      const reset = await api(t.app, sandbox.client.clientKey).post(
        path,
        {},
        { 'x-secret-key': sandbox.secretKey },
      )
      expect([reset.statusCode, reset.json()]).toEqual([200, { success: true }])
      expect((await startSession(user)).statusCode).toBe(200)
    })
  })

  describe('authentication', () => {
    type Caller = (user: { token: string }) => ReturnType<ReturnType<typeof api>['get']>
    const verification = '/v1/user/verification'
    it.each<[string, number, Caller]>([
      ['no bearer token: 401', 401, () => api(t.app, sandbox.client.clientKey).get(verification)],
      [
        "another client's user: 403",
        403,
        (user) =>
          api(t.app, live.client.clientKey).get(verification, { authorization: `Bearer ${user.token}` }),
      ],
      [
        'an unknown client key: 498',
        498,
        (user) => api(t.app, 'nope').get(verification, { authorization: `Bearer ${user.token}` }),
      ],
      [
        'no client key: 499',
        499,
        (user) =>
          t.app.inject({
            method: 'GET',
            url: verification,
            headers: { authorization: `Bearer ${user.token}` },
          }),
      ],
      [
        'an x-us-env that is not a boolean: 422',
        422,
        (user) =>
          api(t.app, sandbox.client.clientKey).get(verification, {
            authorization: `Bearer ${user.token}`,
            'x-us-env': 'yes',
          }),
      ],
    ])('%s', async (_case, status, call) => {
      const user = await newUser()
      expect((await call(user)).statusCode).toBe(status)
    })

    it('an unknown onboarding id: 404 Invalid onboarding ID', async () => {
      const onboarding = await api(t.app, sandbox.client.clientKey).post('/v1/auth/register/verification', {
        onboardingId: '00000000-0000-4000-8000-000000000000',
      })
      expect([onboarding.statusCode, onboarding.json().message]).toEqual([404, 'Invalid onboarding ID'])
    })
  })

  describe('secrets', () => {
    it('never stores or logs a link token in clear', async () => {
      const logsBefore = logLines.length
      // Links in every state they can end in: opened twice and decided, refused to another browser,
      // previewed, expired, and the onboarding link opened from two devices.
      const decided = await newUser('Rejected')
      const decidedSession = (await startSession(decided)).json()
      const browser: Browser = {}
      expect((await openLink(t.app, decidedSession.sessionUrl, browser)).statusCode).toBe(303)
      expect((await showFlow(t.app, browser)).statusCode).toBe(200)
      expect((await openLink(t.app, decidedSession.sessionUrl, browser)).statusCode).toBe(303)
      expect((await openLink(t.app, decidedSession.sessionUrl, {})).statusCode).toBe(410)
      await submitSession(t.runtime, decided.database, decidedSession.sessionId, true)
      await eventually(async () => expect((await userState(decided)).verification_state).toBe('REJECTED'))
      const previewed = await newUser()
      const previewedSession = (await startSession(previewed)).json()
      expect(
        (await t.app.inject({ method: 'GET', url: linkPath(previewedSession.sessionUrl) })).statusCode,
      ).toBe(200)
      const expired = await newUser()
      const expiredSession = (await startSession(expired)).json()
      await openLink(t.app, expiredSession.sessionUrl)
      t.clock.advance(DAY_MS)
      expect((await openLink(t.app, expiredSession.sessionUrl)).statusCode).toBe(410)
      const onboarding = await newUser()
      const onboardingSession = (
        await api(t.app, sandbox.client.clientKey).post('/v1/auth/register/verification', {
          onboardingId: onboarding.onboardingId,
        })
      ).json()
      expect((await openLink(t.app, onboardingSession.sessionUrl, {})).statusCode).toBe(303)
      expect((await openLink(t.app, onboardingSession.sessionUrl, {})).statusCode).toBe(303)
      const issuedUrls: string[] = [
        decidedSession.sessionUrl,
        previewedSession.sessionUrl,
        expiredSession.sessionUrl,
        onboardingSession.sessionUrl,
      ]
      const macs = issuedUrls.map((url) => linkPath(url).split('.')[2] as string)
      const tables = [
        'verification_session',
        'session_claim',
        'verification_state_transition',
        'job',
        'app_user',
      ] as const
      for (const database of t.runtime.databases.all) {
        for (const table of tables) {
          const dump = JSON.stringify(await database.db.selectFrom(table).selectAll().execute())
          for (const mac of macs) expect(dump.includes(mac), `${table} holds a link token`).toBe(false)
        }
      }
      const logs = logLines.slice(logsBefore).join('')
      expect(logs).toContain('"route":"/verify/:token"')
      for (const url of issuedUrls) expect(logs.includes(linkPath(url)), `logs hold ${url}`).toBe(false)
      for (const mac of macs) expect(logs.includes(mac), 'logs hold a link token').toBe(false)
    })
  })
})
