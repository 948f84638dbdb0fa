import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JobContext } from '../../src/jobs/definitions.ts'
import { DAY_MS } from '../../src/lib/clock.ts'
import { MAX_UPLOADS_PER_SESSION } from '../../src/modules/capture/index.ts'
import { purgeDocumentsJob, sniffType } from '../../src/modules/documents/index.ts'
import { buildTestApp, type TestApp } from '../helpers/app.ts'
import {
  currentUser,
  type Fixtures,
  registerSandboxUser,
  startVerification,
  type TestUser,
  writeFixtures,
} from '../helpers/capture.ts'
import { eventually } from '../helpers/databases.ts'
import { DIALECTS } from '../helpers/dialects.ts'
import { type Browser, csrfOf, flowClient, openLink } from '../helpers/sessions.ts'

/** Every file under a directory (the blob store), recursively. */
const filesUnder = async (dir: string): Promise<string[]> => {
  try {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true })
    return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name))
  } catch {
    return []
  }
}

describe.each(DIALECTS)('hosted capture flow over HTTP (%s)', (dialect) => {
  let t: TestApp
  let sandbox: Awaited<ReturnType<TestApp['createClient']>>
  let fixtures: Fixtures
  let file: (name: keyof Fixtures) => Promise<Buffer>
  const documentsDir = () => join(t.storage.dataDir, 'documents')

  beforeAll(async () => {
    t = await buildTestApp(dialect, { worker: true })
    sandbox = await t.createClient({ name: 'Acme Wallet', mode: 'sandbox', regions: ['intl', 'us'] })
    fixtures = await writeFixtures(join(t.storage.dataDir, 'fixtures'))
    file = (name) => readFile(fixtures[name])
  }, 60_000)
  afterAll(() => t.close())

  /** A user with a claimed session, at the start of the flow. */
  const opened = async (options: { lastName?: string; region?: 'intl' | 'us' } = {}) => {
    const user = await registerSandboxUser(t, sandbox.client.clientKey, options)
    const url = await startVerification(t, sandbox.client.clientKey, user)
    const browser: Browser = {}
    expect((await openLink(t.app, url, browser)).statusCode).toBe(303)
    return { user, url, browser, flow: flowClient(t.app, browser) }
  }

  const documentRows = (user: TestUser) =>
    user.database.db.selectFrom('document_file').selectAll().where('user_id', '=', user.id).execute()

  /** Consent and a passport from GB. */
  const throughDocument = async (flow: ReturnType<typeof flowClient>, documentType = 'passport') => {
    expect(
      (await flow.form('consent', { csrf: await flow.token('consent'), consent: 'yes' })).statusCode,
    ).toBe(303)
    const chosen = await flow.form('document', {
      csrf: await flow.token('document'),
      documentType,
      issuingCountry: 'GB',
    })
    expect(chosen.statusCode).toBe(303)
  }

  it('takes a Test Approved user from the link to VERIFIED; stored files are encrypted, upright and without metadata', async () => {
    const { user, flow } = await opened()
    const intro = await flow.page('/verify')
    expect(intro.statusCode).toBe(200)
    expect(intro.body).toContain('5 to 30 minutes')
    expect(intro.headers['content-security-policy']).toMatch(/script-src 'nonce-[^']+'/)
    expect(intro.headers['content-security-policy']).toContain("frame-ancestors 'none'")

    // Steps cannot be skipped: the selfie page sends the browser back to the first missing step.
    const skipped = await flow.page('/verify/flow/selfie')
    expect(skipped.statusCode).toBe(303)
    expect(skipped.headers.location).toBe('/verify/flow/consent')

    await throughDocument(flow, 'id_card')
    expect(
      (await flow.upload('front', await flow.token('front'), await file('front'))).headers.location,
    ).toBe('/verify/flow/back')
    expect((await flow.upload('back', await flow.token('back'), await file('back'))).headers.location).toBe(
      '/verify/flow/selfie',
    )
    const selfie = await flow.upload('selfie', await flow.token('selfie'), await file('selfie'), {
      json: true,
    })
    expect(selfie.statusCode).toBe(200)
    // With the script, the selfie's answer carries its active challenge (selfie-challenge.test.ts).
    expect(selfie.json()).toMatchObject({
      next: '/verify/flow/review',
      challenge: { url: '/verify/challenge' },
    })

    const review = await flow.page('/verify/flow/review')
    expect(review.body).toContain('National identity card, United Kingdom')
    const submitted = await flow.form('review', { csrf: csrfOf(review.body) })
    expect(submitted.statusCode).toBe(303)
    expect(submitted.headers.location).toBe('/verify/status')
    expect((await currentUser(t, sandbox.client.clientKey, user)).verificationState).not.toBe('UNVERIFIED')

    await eventually(async () =>
      expect((await currentUser(t, sandbox.client.clientKey, user)).verificationState).toBe('VERIFIED'),
    )
    const status = await flow.page('/verify/status.json')
    expect(status.json()).toEqual({ phase: 'approved', reasons: [], done: true })
    expect((await flow.page('/verify/status')).body).toContain('You are verified')

    const rows = await documentRows(user)
    expect(rows.map((row) => row.slot).sort()).toEqual(['document_back', 'document_front', 'selfie'])
    for (const row of rows) {
      const onDisk = await readFile(join(documentsDir(), row.storage_key))
      // Not an image, not anything: ciphertext.
      expect(await sniffType(onDisk), row.slot).toBeUndefined()
      expect(onDisk.includes(Buffer.from('JFIF')), row.slot).toBe(false)
      const plain = await t.runtime.vault.get(row.id, {
        storageKey: row.storage_key,
        wrappedKey: row.wrapped_key,
        sha256: row.sha256,
      })
      const metadata = await sharp(plain).metadata()
      expect(metadata.format, row.slot).toBe('jpeg')
      expect(metadata.exif, row.slot).toBeUndefined()
      expect(metadata.orientation, row.slot).toBeUndefined()
      expect(row.media_type, row.slot).toBe('image/jpeg')
    }
    // The front was a 1600×1000 landscape file with orientation 8: stored upright, as the 1000×1600 page.
    const front = rows.find((row) => row.slot === 'document_front')
    expect([front?.width, front?.height]).toEqual([1000, 1600])
    expect(front?.original_type).toBe('image/jpeg')
  })

  it('ends a Test Rejected user REJECTED with a user-safe reason on the status page', async () => {
    const { user, flow } = await opened({ lastName: 'Rejected' })
    await throughDocument(flow)
    await flow.upload('front', await flow.token('front'), await file('front'))
    await flow.upload('selfie', await flow.token('selfie'), await file('selfie'))
    expect((await flow.form('review', { csrf: await flow.token('review') })).statusCode).toBe(303)
    await eventually(async () =>
      expect((await currentUser(t, sandbox.client.clientKey, user)).verificationState).toBe('REJECTED'),
    )
    const status = (await flow.page('/verify/status.json')).json()
    expect(status).toEqual({
      phase: 'rejected',
      reasons: [{ message: 'The face in the selfie does not match the document photo.' }],
      done: true,
    })
  })

  it('refuses unusable files with a clear message and a 4xx, and keeps nothing of them', async () => {
    const { user, flow } = await opened()
    await throughDocument(flow)
    const before = await filesUnder(documentsDir())
    const cases: [keyof Fixtures, number, RegExp][] = [
      ['text', 422, /not a photo we can use/],
      ['empty', 422, /file is empty/],
      ['truncated', 422, /damaged or incomplete/],
      ['huge', 422, /too large \(more than 50 megapixels\)/],
      ['oversize', 413, /larger than 15 MB/],
      ['pdf', 422, /not a photo we can use/],
    ]
    for (const [name, status, message] of cases) {
      const page = await flow.upload('front', await flow.token('front'), await file(name), {
        name: 'photo.jpg',
      })
      expect(page.statusCode, name).toBe(status)
      expect(page.body, name).toMatch(message)
      expect(page.headers['content-type'], name).toContain('text/html')
      const json = await flow.upload('front', await flow.token('front'), await file(name), { json: true })
      expect(json.statusCode, name).toBe(status)
      expect(json.json().message, name).toMatch(message)
    }
    expect(await documentRows(user)).toEqual([])
    expect(await filesUnder(documentsDir())).toEqual(before)
  }, 60_000)

  it('discards the photos of the previous document when the document type changes', async () => {
    const { user, flow } = await opened()
    await throughDocument(flow, 'id_card')
    await flow.upload('front', await flow.token('front'), await file('front'))
    await flow.upload('back', await flow.token('back'), await file('back'))
    const before = await documentRows(user)
    expect(before).toHaveLength(2)
    const changed = await flow.form('document', {
      csrf: await flow.token('document'),
      documentType: 'passport',
      issuingCountry: 'GB',
    })
    expect(changed.headers.location).toBe('/verify/flow/front')
    expect(await documentRows(user)).toEqual([])
    for (const row of before)
      await expect(readFile(join(documentsDir(), row.storage_key))).rejects.toThrow(/ENOENT/)
    // A passport has no back page to fill in.
    expect((await flow.page('/verify/flow/back')).headers.location).toBe('/verify/flow/front')
  })

  it(`stops a session after ${MAX_UPLOADS_PER_SESSION} upload attempts, refused ones included, with a 429 and a clear message`, async () => {
    const { flow } = await opened()
    await throughDocument(flow)
    const token = await flow.token('front')
    const text = await file('text')
    for (let attempt = 0; attempt < MAX_UPLOADS_PER_SESSION; attempt += 1)
      expect((await flow.upload('front', token, text, { json: true })).statusCode).toBe(422)
    const refused = await flow.upload('front', token, await file('front'))
    expect(refused.statusCode).toBe(429)
    expect(refused.body).toContain('Too many uploads in this verification')
  })

  it('accepts an iPhone HEIC photo (stored as JPEG) and a PDF proof of address in us', async () => {
    const { user, flow } = await opened({ region: 'us' })
    await throughDocument(flow)
    expect((await flow.upload('front', await flow.token('front'), await file('heic'))).statusCode).toBe(303)
    await flow.upload('selfie', await flow.token('selfie'), await file('selfie'))
    const address = await flow.page('/verify/flow/address')
    expect(address.statusCode).toBe(200)
    expect(address.body).toContain('Proof of address')
    expect((await flow.upload('address', csrfOf(address.body), await file('pdf'))).statusCode).toBe(303)
    const rows = await documentRows(user)
    expect(rows.find((row) => row.slot === 'document_front')).toMatchObject({
      original_type: 'image/heic',
      media_type: 'image/jpeg',
      width: 640,
      height: 480,
    })
    expect(rows.find((row) => row.slot === 'proof_of_address')?.media_type).toBe('application/pdf')
    // This user gave an SSN at onboarding: no SSN step, straight to review.
    expect((await flow.page('/verify/flow/ssn')).headers.location).toBe('/verify/flow/review')
  })

  /** A us user who gave no SSN at onboarding, with every step before the SSN done. */
  const atSsnStep = async () => {
    const { user, flow } = await opened({ region: 'us' })
    await user.database.db
      .updateTable('app_user')
      .set({ ssn_sealed: null, ssn_last4: null })
      .where('id', '=', user.id)
      .execute()
    await throughDocument(flow)
    await flow.upload('front', await flow.token('front'), await file('front'))
    await flow.upload('selfie', await flow.token('selfie'), await file('selfie'))
    await flow.upload('address', await flow.token('address'), await file('pdf'))
    return { user, flow }
  }

  it('asks a us user without an SSN for it, and refuses an invalid one', async () => {
    const { user, flow } = await atSsnStep()
    const invalid = await flow.form('ssn', { csrf: await flow.token('ssn'), ssn: '000-12-3456' })
    expect(invalid.statusCode).toBe(422)
    expect(invalid.body).toContain('valid US Social Security number')
    expect((await flow.form('ssn', { csrf: await flow.token('ssn'), ssn: '234-56-7890' })).statusCode).toBe(
      303,
    )
    const stored = await user.database.db
      .selectFrom('app_user')
      .select(['ssn_sealed', 'ssn_last4'])
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow()
    expect(stored.ssn_last4).toBe('7890')
    expect(stored.ssn_sealed).not.toContain('234567890')
  })

  it('sends a us user on to the review after a valid SSN, not back to the SSN page', async () => {
    const { flow } = await atSsnStep()
    const given = await flow.form('ssn', { csrf: await flow.token('ssn'), ssn: '234-56-7890' })
    expect([given.statusCode, given.headers.location]).toEqual([303, '/verify/flow/review'])
  })

  it('refuses replayed, cross-session and missing CSRF tokens, steps out of order and a second submit', async () => {
    const { flow, browser } = await opened()
    const other = await opened()

    // Out of order: an upload before the document is chosen.
    const early = await flow.upload('selfie', await flow.token('consent'), await file('selfie'))
    expect(early.statusCode).toBe(409)
    expect(early.body).toContain('A step is missing')

    const consentToken = await flow.token('consent')
    expect((await flow.form('consent', { csrf: consentToken, consent: 'yes' })).statusCode).toBe(303)
    // The same form posted again (a replay): refused, nothing changes.
    const replay = await flow.form('consent', { csrf: consentToken, consent: 'yes' })
    expect(replay.statusCode).toBe(403)
    expect(replay.body).toContain('out of date')
    // Another session's token, a token for another form, no token.
    const foreign = await other.flow.token('consent')
    expect(
      (await flow.form('document', { csrf: foreign, documentType: 'passport', issuingCountry: 'GB' }))
        .statusCode,
    ).toBe(403)
    expect(
      (
        await flow.form('document', {
          csrf: await flow.token('consent'),
          documentType: 'passport',
          issuingCountry: 'GB',
        })
      ).statusCode,
    ).toBe(403)
    expect((await flow.form('document', { documentType: 'passport', issuingCountry: 'GB' })).statusCode).toBe(
      403,
    )
    expect((await flow.upload('front', undefined, await file('front'))).statusCode).toBe(409)
    // Invalid answers: a clear 422 on the page.
    const noCountry = await flow.form('document', {
      csrf: await flow.token('document'),
      documentType: 'passport',
      issuingCountry: 'XX',
    })
    expect(noCountry.statusCode).toBe(422)
    expect(noCountry.body).toContain('Choose the country that issued your document')

    await flow.form('document', {
      csrf: await flow.token('document'),
      documentType: 'passport',
      issuingCountry: 'GB',
    })
    await flow.upload('front', await flow.token('front'), await file('front'))
    const selfieToken = await flow.token('selfie')
    expect((await flow.upload('selfie', selfieToken, await file('selfie'))).statusCode).toBe(303)
    expect((await flow.upload('selfie', selfieToken, await file('selfie'))).statusCode).toBe(403)

    const reviewToken = await flow.token('review')
    const [first, second] = await Promise.all([
      flow.form('review', { csrf: reviewToken }),
      flow.form('review', { csrf: reviewToken }),
    ])
    // A double click: exactly one submission; the other is refused as stale (403) or already submitted (409).
    const statuses = [first.statusCode, second.statusCode].sort()
    expect(statuses[0]).toBe(303)
    expect([403, 409]).toContain(statuses[1])
    const again = await flow.form('review', { csrf: reviewToken })
    expect(again.statusCode).toBe(409)
    expect(again.body).toContain('already submitted')
    // After submission every step leads to the status page; uploads are refused.
    expect((await flow.page('/verify/flow/front')).headers.location).toBe('/verify/status')
    expect((await flow.upload('front', reviewToken, await file('front'))).statusCode).toBe(409)
    expect(browser.cookie).toBeDefined()
  })

  it('destroys document images after the retention period, but not while a decision is pending', async () => {
    const submitPassport = async (lastName: string) => {
      const { user, flow } = await opened({ lastName })
      await throughDocument(flow)
      await flow.upload('front', await flow.token('front'), await file('front'))
      await flow.upload('selfie', await flow.token('selfie'), await file('selfie'))
      expect((await flow.form('review', { csrf: await flow.token('review') })).statusCode).toBe(303)
      return user
    }
    const approved = await submitPassport('Approved')
    const pending = await submitPassport('Pending')
    await eventually(async () =>
      expect((await currentUser(t, sandbox.client.clientKey, approved)).verificationState).toBe('VERIFIED'),
    )
    await eventually(async () => {
      const session = await pending.database.db
        .selectFrom('verification_session')
        .select('outcome')
        .where('user_id', '=', pending.id)
        .executeTakeFirstOrThrow()
      expect(session.outcome).toBe('review')
    })
    const purge = purgeDocumentsJob(t.runtime.vault, 30)
    const run = () =>
      purge.handle(undefined, {
        database: approved.database,
        clock: t.clock,
        log: t.runtime.log,
        signal: new AbortController().signal,
      } as unknown as JobContext)

    t.clock.advance(29 * DAY_MS)
    await run()
    expect((await documentRows(approved)).every((row) => row.purged_at === null)).toBe(true)

    t.clock.advance(2 * DAY_MS)
    await run()
    const purged = await documentRows(approved)
    expect(purged).toHaveLength(2)
    for (const row of purged) {
      expect(row.purged_at, row.id).not.toBeNull()
      expect(row.wrapped_key, row.id).toBe('')
      expect(row.sha256, row.id).toMatch(/^[0-9a-f]{64}$/)
      await expect(readFile(join(documentsDir(), row.storage_key))).rejects.toThrow(/ENOENT/)
    }
    // In manual review: kept, readable.
    for (const row of await documentRows(pending)) {
      expect(row.purged_at, row.id).toBeNull()
      await expect(readFile(join(documentsDir(), row.storage_key)), row.id).resolves.toBeInstanceOf(Buffer)
    }
  })

  it('answers an expired session in mid-flow with 410 and a page that says so', async () => {
    const { flow } = await opened()
    await throughDocument(flow)
    const token = await flow.token('front')
    t.clock.advance(25 * 60 * 60 * 1000)
    const upload = await flow.upload('front', token, await file('front'))
    expect(upload.statusCode).toBe(410)
    expect(upload.body).toContain('This link has expired')
    expect((await flow.page('/verify/flow/front')).statusCode).toBe(410)
    expect((await flow.page('/verify/status.json')).statusCode).toBe(410)
  })

  it("answers the page script's JSON requests with the API's error body", async () => {
    const { flow } = await opened()
    const early = await flow.page('/verify/status.json')
    expect([early.statusCode, early.json()]).toEqual([
      409,
      { message: 'Your documents have not been submitted yet.', errorCode: 'NOT_SUBMITTED' },
    ])
    const stranger = await t.app.inject({ method: 'GET', url: '/verify/status.json' })
    expect([stranger.statusCode, stranger.json()]).toEqual([
      404,
      {
        message: 'No verification is in progress in this browser. Open the verification link from the app.',
        errorCode: 'NO_BROWSER_SESSION',
      },
    ])
    t.clock.advance(25 * 60 * 60 * 1000)
    const expired = await flow.page('/verify/status.json')
    expect([expired.statusCode, expired.json().errorCode]).toEqual([410, 'SESSION_EXPIRED'])
  })

  it('has no session without the cookie, and honours the client frame ancestors', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/verify/flow/consent' })).statusCode).toBe(404)
    const secretHeaders = { 'x-client-key': sandbox.client.clientKey, 'x-secret-key': sandbox.secretKey }
    const patched = await t.app.inject({
      method: 'PATCH',
      url: '/v1/client',
      headers: secretHeaders,
      payload: {
        frameAncestors: ['https://wallet.example.com'],
        returnUrl: 'https://wallet.example.com/done',
      },
    })
    expect(patched.statusCode).toBe(200)
    expect(patched.json()).toMatchObject({
      frameAncestors: ['https://wallet.example.com'],
      returnUrl: 'https://wallet.example.com/done',
    })
    const badOrigin = await t.app.inject({
      method: 'PATCH',
      url: '/v1/client',
      headers: secretHeaders,
      payload: { frameAncestors: ['https://wallet.example.com/path'] },
    })
    expect(badOrigin.statusCode).toBe(422)
    t.runtime.clientCache.invalidate(sandbox.client)
    const { flow } = await opened()
    const page = await flow.page('/verify')
    expect(page.headers['content-security-policy']).toContain('frame-ancestors https://wallet.example.com')
    expect(page.headers['x-frame-options']).toBeUndefined()
    await t.app.inject({
      method: 'PATCH',
      url: '/v1/client',
      headers: secretHeaders,
      payload: { frameAncestors: [], returnUrl: null },
    })
  })
})

describe('hosted page cookies behind https', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await buildTestApp('sqlite', { env: { PUBLIC_URL: 'https://kyc.example.com' } })
  })
  afterAll(() => t.close())

  const claimCookie = async (frameAncestors: string[]) => {
    const client = await t.createClient({ name: 'Framed', mode: 'sandbox', regions: ['intl'] })
    if (frameAncestors.length > 0) {
      const patched = await t.app.inject({
        method: 'PATCH',
        url: '/v1/client',
        headers: { 'x-client-key': client.client.clientKey, 'x-secret-key': client.secretKey },
        payload: { frameAncestors },
      })
      expect(patched.statusCode).toBe(200)
    }
    const user = await registerSandboxUser(t, client.client.clientKey)
    const url = await startVerification(t, client.client.clientKey, user)
    const claim = await openLink(t.app, url, {})
    expect(claim.statusCode).toBe(303)
    const page = await flowClient(t.app, {
      cookie: String(claim.headers['set-cookie']).split(';', 1)[0],
    }).page('/verify/status.json')
    expect(page.statusCode).toBe(409)
    return String(claim.headers['set-cookie'])
  }

  it('is Secure, HttpOnly and SameSite=Strict; SameSite=None and Partitioned only for a client that frames the pages', async () => {
    const strict = await claimCookie([])
    expect(strict).toMatch(/; Secure/)
    expect(strict).toMatch(/; HttpOnly/)
    expect(strict).toMatch(/; SameSite=Strict/)
    expect(strict).not.toMatch(/Partitioned/)
    const framed = await claimCookie(['https://wallet.example.com'])
    expect(framed).toMatch(/; Secure/)
    expect(framed).toMatch(/; SameSite=None/)
    expect(framed).toMatch(/; Partitioned/)
  })
})
