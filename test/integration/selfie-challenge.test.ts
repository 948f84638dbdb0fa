import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { type Insertable, Migrator, sql } from 'kysely'
import pg from 'pg'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isPostgres, openRegionDatabase } from '../../src/db/database.ts'
import { migrateToLatest } from '../../src/db/migrate.ts'
import { migrations } from '../../src/db/migrations/index.ts'
import { CHALLENGE_STEPS, type DocumentFileTable } from '../../src/db/schema.ts'
import { submittedEvidence } from '../../src/modules/capture/index.ts'
import { sniffType } from '../../src/modules/documents/index.ts'
import { buildTestApp, type TestApp } from '../helpers/app.ts'
import {
  type Fixtures,
  registerSandboxUser,
  startVerification,
  type TestUser,
  writeFixtures,
} from '../helpers/capture.ts'
import { createTestDatabaseTargets, DIALECTS, type TestDatabaseTargets } from '../helpers/dialects.ts'
import { type Browser, flowClient, openLink } from '../helpers/sessions.ts'

type IssuedChallenge = { id: string; steps: string[]; answerBy: number; csrf: string; url: string }

/** Frames as the page grabs them: small JPEGs, each of its own colour so that their order shows. */
const COLOURS = [
  { r: 220, g: 30, b: 30 },
  { r: 30, g: 200, b: 30 },
  { r: 30, g: 30, b: 220 },
  { r: 200, g: 200, b: 30 },
]
const frameOf = (index: number) =>
  sharp({
    create: {
      width: 540,
      height: 720,
      channels: 3,
      background: COLOURS[index % COLOURS.length] as (typeof COLOURS)[number],
    },
  })
    .jpeg({ quality: 80 })
    .toBuffer()

/** The channel that dominates a picture: 0 red, 1 green, 2 blue (which frame it was). */
const dominantChannel = async (bytes: Uint8Array) => {
  const { channels } = await sharp(bytes).stats()
  const means = channels.slice(0, 3).map((channel) => channel.mean)
  return means.indexOf(Math.max(...means))
}

describe.each(DIALECTS)('live selfie active challenge over HTTP (%s)', (dialect) => {
  let t: TestApp
  let sandbox: Awaited<ReturnType<TestApp['createClient']>>
  let fixtures: Fixtures

  beforeAll(async () => {
    t = await buildTestApp(dialect)
    sandbox = await t.createClient({ name: 'Acme Wallet', mode: 'sandbox', regions: ['intl'] })
    fixtures = await writeFixtures(join(t.storage.dataDir, 'fixtures'))
  }, 60_000)
  afterAll(() => t.close())

  /** A user whose flow is at the selfie step (consent, a passport, its front done). */
  const atSelfie = async () => {
    const user = await registerSandboxUser(t, sandbox.client.clientKey)
    const url = await startVerification(t, sandbox.client.clientKey, user)
    const browser: Browser = {}
    expect((await openLink(t.app, url, browser)).statusCode).toBe(303)
    const flow = flowClient(t.app, browser)
    await flow.form('consent', { csrf: await flow.token('consent'), consent: 'yes' })
    await flow.form('document', {
      csrf: await flow.token('document'),
      documentType: 'passport',
      issuingCountry: 'GB',
    })
    expect(
      (await flow.upload('front', await flow.token('front'), await readFile(fixtures.front))).statusCode,
    ).toBe(303)
    return { user, browser, flow }
  }

  /** The selfie as the camera page uploads it (JSON): the answer carries the challenge. */
  const takeSelfie = async (flow: ReturnType<typeof flowClient>) => {
    const answer = await flow.upload('selfie', await flow.token('selfie'), await readFile(fixtures.selfie), {
      json: true,
    })
    expect(answer.statusCode).toBe(200)
    return answer.json() as { next: string; challenge: IssuedChallenge }
  }

  /** Posts frames as the page does: `csrf`, `challenge`, then one `frame` per step. */
  const answer = async (
    browser: Browser,
    fields: { csrf?: string; challenge?: string },
    frames: Buffer[],
    options: { json?: boolean } = {},
  ) => {
    const form = new FormData()
    if (fields.csrf !== undefined) form.append('csrf', fields.csrf)
    if (fields.challenge !== undefined) form.append('challenge', fields.challenge)
    for (const [index, frame] of frames.entries())
      form.append('frame', new Blob([new Uint8Array(frame)]), `frame-${index + 1}.jpg`)
    const request = new Request('http://localhost/', { method: 'POST', body: form })
    return t.app.inject({
      method: 'POST',
      url: '/verify/challenge',
      headers: {
        ...(browser.cookie ? { cookie: browser.cookie } : {}),
        'content-type': request.headers.get('content-type') as string,
        ...(options.json === false ? {} : { accept: 'application/json' }),
      },
      payload: Buffer.from(await request.arrayBuffer()),
    })
  }

  const framesFor = (challenge: IssuedChallenge) =>
    Promise.all(challenge.steps.map((_, index) => frameOf(index)))

  const fields = (challenge: IssuedChallenge) => ({ csrf: challenge.csrf, challenge: challenge.id })

  const storedSlots = async (user: TestUser) =>
    (
      await user.database.db
        .selectFrom('document_file')
        .select('slot')
        .where('user_id', '=', user.id)
        .orderBy('slot')
        .execute()
    ).map((row) => row.slot)

  const sessionOf = async (user: TestUser) =>
    (
      await user.database.db
        .selectFrom('verification_session')
        .select('id')
        .where('user_id', '=', user.id)
        .executeTakeFirstOrThrow()
    ).id

  it('issues 2–3 distinct random poses with each selfie, answered once with one stored frame per pose, and gives them to the checks in order', async () => {
    const { user, browser, flow } = await atSelfie()
    const { next, challenge } = await takeSelfie(flow)
    expect(next).toBe('/verify/flow/review')
    expect(challenge.url).toBe('/verify/challenge')
    expect(challenge.steps.length).toBeGreaterThanOrEqual(2)
    expect(challenge.steps.length).toBeLessThanOrEqual(3)
    expect(new Set(challenge.steps).size).toBe(challenge.steps.length)
    for (const step of challenge.steps) expect(CHALLENGE_STEPS).toContain(step)
    expect(challenge.answerBy).toBe(t.clock.now() + 120_000)

    const answered = await answer(browser, fields(challenge), await framesFor(challenge))
    expect([answered.statusCode, answered.json()]).toEqual([200, { next: '/verify/flow/review' }])
    const frameSlots = ['challenge_1', 'challenge_2', 'challenge_3'].slice(0, challenge.steps.length)
    expect(await storedSlots(user)).toEqual([...frameSlots, 'document_front', 'selfie'].sort())

    // Encrypted at rest like every upload.
    const rows = await user.database.db
      .selectFrom('document_file')
      .selectAll()
      .where('user_id', '=', user.id)
      .where('slot', 'in', ['challenge_1', 'challenge_2', 'challenge_3'])
      .execute()
    for (const row of rows) {
      const onDisk = await readFile(join(t.storage.dataDir, 'documents', row.storage_key))
      expect(await sniffType(onDisk), row.slot).toBeUndefined()
      expect(row.media_type).toBe('image/jpeg')
    }

    // Answered twice: refused, nothing changes.
    const again = await answer(browser, fields(challenge), await framesFor(challenge))
    expect([again.statusCode, again.json().errorCode]).toEqual([409, 'CHALLENGE_ANSWERED'])

    const evidence = await submittedEvidence(t.runtime, user.database.db, await sessionOf(user))
    expect(Object.keys(evidence.files).sort()).toEqual(['document_front', 'selfie'])
    expect(evidence.challenge?.steps).toEqual(challenge.steps)
    expect(evidence.challenge?.frames.map((frame) => frame.mediaType)).toEqual(
      challenge.steps.map(() => 'image/jpeg'),
    )
    const order = await Promise.all(
      (evidence.challenge?.frames ?? []).map((frame) => dominantChannel(frame.bytes)),
    )
    expect(order).toEqual([0, 1, 2].slice(0, challenge.steps.length))

    expect((await flow.form('review', { csrf: await flow.token('review') })).statusCode).toBe(303)
    const progress = await user.database.db
      .selectFrom('capture_progress')
      .select('challenge_completed')
      .where('session_id', '=', await sessionOf(user))
      .executeTakeFirstOrThrow()
    expect(progress.challenge_completed).toBe(1)
    // After submission the challenge cannot be answered any more.
    const late = await answer(browser, fields(challenge), await framesFor(challenge))
    expect([late.statusCode, late.json().errorCode]).toEqual([409, 'ALREADY_SUBMITTED'])
  })

  it('replaces the challenge and discards its frames when the selfie is taken again; frames for the old one get 409', async () => {
    const { user, browser, flow } = await atSelfie()
    const first = (await takeSelfie(flow)).challenge
    expect((await answer(browser, fields(first), await framesFor(first))).statusCode).toBe(200)
    const second = (await takeSelfie(flow)).challenge
    expect(second.id).not.toBe(first.id)
    // The new selfie's old frames are gone: they showed another attempt.
    expect(await storedSlots(user)).toEqual(['document_front', 'selfie'])
    expect(
      (await submittedEvidence(t.runtime, user.database.db, await sessionOf(user))).challenge,
    ).toBeUndefined()

    const third = (await takeSelfie(flow)).challenge
    const stale = await answer(browser, fields(second), await framesFor(second))
    expect([stale.statusCode, stale.json().errorCode]).toEqual([409, 'CHALLENGE_REPLACED'])
    expect(stale.json().message).toContain('A newer selfie replaced this live check')
    expect((await answer(browser, fields(third), await framesFor(third))).statusCode).toBe(200)
    const rows = await user.database.db
      .selectFrom('selfie_challenge')
      .select(['id', 'replaced_at'])
      .where('session_id', '=', await sessionOf(user))
      .execute()
    const current = Object.fromEntries(rows.map((row) => [row.id, row.replaced_at === null]))
    expect(current).toEqual({ [first.id]: false, [second.id]: false, [third.id]: true })
  })

  it("refuses another session's challenge (400), a wrong or missing token (403), and too many or too few frames (400), storing nothing", async () => {
    const mine = await atSelfie()
    const other = await atSelfie()
    const challenge = (await takeSelfie(mine.flow)).challenge
    const theirs = (await takeSelfie(other.flow)).challenge
    const frames = await framesFor(challenge)

    // My browser with the other session's challenge (and its token): not a challenge of this session.
    const foreign = await answer(mine.browser, fields(theirs), frames)
    expect([foreign.statusCode, foreign.json().errorCode]).toEqual([400, 'CHALLENGE_UNKNOWN'])
    const unknown = await answer(mine.browser, { csrf: challenge.csrf, challenge: 'chl_nothing' }, frames)
    expect([unknown.statusCode, unknown.json().errorCode]).toEqual([400, 'CHALLENGE_UNKNOWN'])
    // My challenge with the other browser's token, or none.
    const forged = await answer(mine.browser, { csrf: theirs.csrf, challenge: challenge.id }, frames)
    expect([forged.statusCode, forged.json().errorCode]).toEqual([403, 'CSRF_REJECTED'])
    const tokenless = await answer(mine.browser, { challenge: challenge.id }, frames)
    expect(tokenless.statusCode).toBe(403)

    const tooFew = await answer(mine.browser, fields(challenge), frames.slice(1))
    expect([tooFew.statusCode, tooFew.json().errorCode]).toEqual([400, 'CHALLENGE_FRAMES'])
    expect(tooFew.json().message).toContain(`exactly ${challenge.steps.length} photos`)
    const none = await answer(mine.browser, fields(challenge), [])
    expect([none.statusCode, none.json().errorCode]).toEqual([400, 'CHALLENGE_FRAMES'])
    const tooMany = await answer(mine.browser, fields(challenge), [...frames, await frameOf(3)])
    expect([tooMany.statusCode, tooMany.json().errorCode]).toEqual([400, 'CHALLENGE_FRAMES'])
    const wayTooMany = await answer(mine.browser, fields(challenge), [...frames, ...frames, ...frames])
    expect([400, 413]).toContain(wayTooMany.statusCode)

    // Without a browser session at all.
    const stranger = await answer({}, fields(challenge), frames)
    expect([stranger.statusCode, stranger.json().errorCode]).toEqual([404, 'NO_BROWSER_SESSION'])
    // Not multipart.
    const plain = await t.app.inject({
      method: 'POST',
      url: '/verify/challenge',
      headers: { cookie: mine.browser.cookie as string, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'csrf=x',
    })
    expect(plain.statusCode).toBe(415)

    expect(await storedSlots(mine.user)).toEqual(['document_front', 'selfie'])
    // Still answerable after all that.
    expect((await answer(mine.browser, fields(challenge), frames)).statusCode).toBe(200)
  })

  it('refuses a frame that is not a photo (422) and frames after the time allowed (409), keeping nothing of them', async () => {
    const { user, browser, flow } = await atSelfie()
    const challenge = (await takeSelfie(flow)).challenge
    const frames = await framesFor(challenge)
    const text = await readFile(fixtures.text)
    const notPhoto = await answer(browser, fields(challenge), [...frames.slice(1), text])
    expect([notPhoto.statusCode, notPhoto.json().errorCode]).toEqual([422, 'UNSUPPORTED_UPLOAD'])
    expect(notPhoto.json().message).toContain('not a photo we can use')
    expect(await storedSlots(user)).toEqual(['document_front', 'selfie'])

    t.clock.advance(121_000)
    const late = await answer(browser, fields(challenge), frames)
    expect([late.statusCode, late.json().errorCode]).toEqual([409, 'CHALLENGE_EXPIRED'])
    expect(await storedSlots(user)).toEqual(['document_front', 'selfie'])
    // A new selfie brings a new challenge, in time again.
    const retaken = (await takeSelfie(flow)).challenge
    expect((await answer(browser, fields(retaken), await framesFor(retaken))).statusCode).toBe(200)
  })

  it('submits without the challenge when there is no camera (the file-input fallback), and records it was not done', async () => {
    const { user, flow } = await atSelfie()
    // The form without the script: a 303, no challenge shown (one is issued, never answered).
    const selfie = await flow.upload('selfie', await flow.token('selfie'), await readFile(fixtures.selfie))
    expect([selfie.statusCode, selfie.headers.location]).toEqual([303, '/verify/flow/review'])
    const page = await flow.page('/verify/flow/selfie')
    expect(page.body).toContain('aria-live="assertive"')
    expect((await flow.form('review', { csrf: await flow.token('review') })).statusCode).toBe(303)
    const sessionId = await sessionOf(user)
    const progress = await user.database.db
      .selectFrom('capture_progress')
      .select('challenge_completed')
      .where('session_id', '=', sessionId)
      .executeTakeFirstOrThrow()
    expect(progress.challenge_completed).toBe(0)
    const evidence = await submittedEvidence(t.runtime, user.database.db, sessionId)
    expect(evidence.challenge).toBeUndefined()
    expect(Object.keys(evidence.files).sort()).toEqual(['document_front', 'selfie'])
    expect((await flow.page('/verify/status')).statusCode).toBe(200)
  })
})

describe.each(DIALECTS)('migration 0012 on a database with documents (%s)', (dialect) => {
  let storage: TestDatabaseTargets
  beforeAll(async () => {
    storage = await createTestDatabaseTargets(dialect)
  })
  afterAll(() => storage.cleanup())

  /** Runs raw statements with foreign keys not enforced (the session's user is not needed here). */
  const withoutForeignKeys = async (statements: string[]) => {
    const target = storage.targets.intl
    if (target.dialect === 'sqlite') {
      const database = new BetterSqlite3(target.file)
      database.pragma('foreign_keys = OFF')
      for (const statement of statements) database.exec(statement)
      database.close()
      return
    }
    const client = new pg.Client({ connectionString: target.url })
    await client.connect()
    await client.query('set session_replication_role = replica')
    for (const statement of statements) await client.query(statement)
    await client.end()
  }

  it('keeps every document row and its slot constraint, and admits the challenge slots', async () => {
    const database = openRegionDatabase('intl', storage.targets.intl)
    try {
      const schema = isPostgres(database)
        ? (await sql<{ name: string }>`select current_schema() as name`.execute(database.db)).rows[0]?.name
        : undefined
      const migrator = new Migrator({
        db: database.db,
        provider: { getMigrations: async () => migrations },
        ...(schema ? { migrationTableSchema: schema } : {}),
      })
      expect((await migrator.migrateTo('0009_check_results')).error).toBeUndefined()
      await withoutForeignKeys([
        `insert into verification_session (id, client_id, user_id, kind, status, reasons, created_at, expires_at, reverification) values ('ses_1', 'cli_1', 'usr_1', 'user', 'opened', '[]', 1, 2, 0)`,
        `insert into document_file (id, session_id, user_id, slot, media_type, original_type, byte_size, width, height, sha256, storage_key, wrapped_key, created_at, purged_at) values ('doc_1', 'ses_1', 'usr_1', 'selfie', 'image/jpeg', 'image/heic', 10, 640, 480, 'ab', 'intl/doc_1', 'wrapped', 5, null)`,
      ])
      await migrateToLatest(database)
      const rows = await database.db.selectFrom('document_file').selectAll().execute()
      expect(rows).toEqual([
        {
          id: 'doc_1',
          session_id: 'ses_1',
          user_id: 'usr_1',
          slot: 'selfie',
          media_type: 'image/jpeg',
          original_type: 'image/heic',
          byte_size: 10,
          width: 640,
          height: 480,
          sha256: 'ab',
          storage_key: 'intl/doc_1',
          wrapped_key: 'wrapped',
          created_at: 5,
          purged_at: null,
        },
      ])
      const row = (slot: string, id: string) => ({ ...rows[0], id, slot }) as Insertable<DocumentFileTable>
      await database.db.insertInto('document_file').values(row('challenge_1', 'doc_2')).execute()
      await expect(
        database.db.insertInto('document_file').values(row('challenge_4', 'doc_3')).execute(),
      ).rejects.toThrow(/check/i)
      // One file per slot and session, as before.
      await expect(
        database.db.insertInto('document_file').values(row('selfie', 'doc_4')).execute(),
      ).rejects.toThrow(/unique/i)
    } finally {
      await database.destroy()
    }
  })
})
