import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/helpers/app.ts'
import { registerSandboxUser, startVerification, writeFixtures } from '../../../test/helpers/capture.ts'
import { eventually } from '../../../test/helpers/databases.ts'
import { DIALECTS } from '../../../test/helpers/dialects.ts'
import { type Browser, flowClient, openLink } from '../../../test/helpers/sessions.ts'
import type { JobContext } from '../../jobs/definitions.ts'
import { redactEvidenceJob, withoutPictures } from './evidence-retention.ts'
import { checkResultsFor, saveResults } from './results.ts'

const JPEG_BASE64 = '/9j/4AAQSkZJRgABAQAAAQABAAD'

describe('evidence without pictures', () => {
  it('drops crops, thumbnails, the MRZ band, document text and any base64 picture, keeping the rest', () => {
    expect(
      withoutPictures({
        score: 0.91,
        crop: JPEG_BASE64,
        document: { portrait: { crop: JPEG_BASE64, box: [1, 2, 3, 4] } },
        frames: [{ step: 'left', crop: JPEG_BASE64, similarity: 0.8 }],
        mrz: { bandJpeg: JPEG_BASE64, lines: ['P<GBR'] },
        text: 'Jane Doe, 12 Baker Street',
        other: `data:image/png;base64,${JPEG_BASE64}`,
        surname: 'DOE',
      }),
    ).toEqual({
      score: 0.91,
      document: { portrait: { box: [1, 2, 3, 4] } },
      frames: [{ step: 'left', similarity: 0.8 }],
      mrz: { lines: ['P<GBR'] },
      surname: 'DOE',
    })
  })
})

describe.each(DIALECTS)('evidence past retention (%s)', (dialect) => {
  let t: TestApp
  let clientKey: string
  beforeAll(async () => {
    t = await buildTestApp(dialect, { worker: true })
    clientKey = (await t.createClient({ name: 'retention', mode: 'sandbox' })).client.clientKey
  }, 60_000)
  afterAll(() => t.close())

  it('loses its pictures once the session’s documents were purged, and keeps them before', async () => {
    const fixtures = await writeFixtures(join(t.storage.dataDir, 'fixtures'))
    const user = await registerSandboxUser(t, clientKey)
    const browser: Browser = {}
    await openLink(t.app, await startVerification(t, clientKey, user), browser)
    const flow = flowClient(t.app, browser)
    await flow.form('consent', { csrf: await flow.token('consent'), consent: 'yes' })
    await flow.form('document', {
      csrf: await flow.token('document'),
      documentType: 'passport',
      issuingCountry: 'GB',
    })
    await flow.upload('front', await flow.token('front'), await readFile(fixtures.front))
    await flow.upload('selfie', await flow.token('selfie'), await readFile(fixtures.selfie))
    await flow.form('review', { csrf: await flow.token('review') })
    const session = await user.database.db
      .selectFrom('verification_session')
      .select('id')
      .where('user_id', '=', user.id)
      .executeTakeFirstOrThrow()
    await eventually(async () =>
      expect((await checkResultsFor(t.runtime.keys, user.database, session.id)).length).toBeGreaterThan(0),
    )
    await saveResults(
      user.database.db,
      t.runtime.keys,
      session.id,
      [
        {
          id: 'face-match',
          version: '1',
          kind: 'face',
          outcome: 'pass',
          score: 0.9,
          evidence: { score: 0.9, selfieCrop: JPEG_BASE64 },
        },
      ],
      t.clock.now(),
    )
    const job = redactEvidenceJob(t.runtime.keys)
    const run = () =>
      job.handle(undefined, {
        database: user.database,
        clock: t.clock,
        log: t.runtime.log,
        signal: new AbortController().signal,
      } as unknown as JobContext)
    const faceEvidence = async () =>
      (await checkResultsFor(t.runtime.keys, user.database, session.id)).find(
        (each) => each.check === 'face-match',
      )?.evidence
    await run()
    expect(await faceEvidence(), 'documents not purged yet').toEqual({ score: 0.9, selfieCrop: JPEG_BASE64 })

    await user.database.db
      .updateTable('document_file')
      .set({ purged_at: t.clock.now(), wrapped_key: '' })
      .where('session_id', '=', session.id)
      .execute()
    await run()
    expect(await faceEvidence()).toEqual({ score: 0.9 })
    // The other results keep opening (sealed again under their own binding).
    expect((await checkResultsFor(t.runtime.keys, user.database, session.id)).length).toBeGreaterThan(1)
  }, 60_000)
})
