import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { IDENTITIES, selfie, twoFacePhoto } from '../fixtures/faces.ts'
import { startVerification } from '../helpers/capture.ts'
import { eventually } from '../helpers/databases.ts'
import { DIALECTS } from '../helpers/dialects.ts'
import { liveHarness } from '../helpers/live-submission.ts'
import { type Browser, flowClient, openLink } from '../helpers/sessions.ts'

/** A phone photo of an empty table: no document anywhere in it. */
const emptyTable = () =>
  sharp({ create: { width: 1600, height: 1200, channels: 3, background: '#604028' } })
    .jpeg({ quality: 85 })
    .toBuffer()

describe.each(DIALECTS)('feedback on an upload while the user is on the page (%s)', (dialect) => {
  let harness: Awaited<ReturnType<typeof liveHarness>>
  beforeAll(async () => {
    harness = await liveHarness(dialect)
  }, 120_000)
  afterAll(() => harness.close())

  /** A live user at the front step of a passport flow. */
  const atFront = async () => {
    const user = await harness.registerPerson({
      firstName: 'Ines',
      lastName: 'Moreau',
      dateOfBirth: '1988-04-09',
      country: 'GB',
    })
    const url = await startVerification(harness.t, harness.live.client.clientKey, user)
    const browser: Browser = {}
    await openLink(harness.t.app, url, browser)
    const flow = flowClient(harness.t.app, browser)
    await flow.form('consent', { csrf: await flow.token('consent'), consent: 'yes' })
    await flow.form('document', {
      csrf: await flow.token('document'),
      documentType: 'passport',
      issuingCountry: 'GB',
    })
    return { flow }
  }

  const feedback = async (flow: ReturnType<typeof flowClient>, step: string) => {
    let answer: Record<string, unknown> = {}
    await eventually(async () => {
      const response = await flow.page(`/verify/feedback/${step}`)
      expect(response.statusCode).toBe(200)
      expect(response.headers['cache-control']).toBe('no-store')
      answer = response.json()
      expect(answer.status).not.toBe('pending')
    }, 60_000)
    return answer
  }

  it('asks for a retake of a photo with no document in it, with the reason, and says nothing before an upload', async () => {
    const { flow } = await atFront()
    expect((await flow.page('/verify/feedback/front')).json()).toEqual({ status: 'none' })
    const uploaded = await flow.upload('front', await flow.token('front'), await emptyTable(), { json: true })
    expect(uploaded.statusCode).toBe(200)
    expect(await feedback(flow, 'front')).toMatchObject({
      status: 'retake',
      reasonCode: 'DOCUMENT_NOT_FOUND',
      message: expect.stringMatching(/document/i),
    })
  })

  it('judges the selfie: two faces ask for a retake, one face is fine', async () => {
    const { flow } = await atFront()
    await flow.upload('front', await flow.token('front'), await emptyTable(), { json: true })
    const identity = IDENTITIES[3] as (typeof IDENTITIES)[number]
    // The demo group photo is dim (mean grey under the selfie's minimum): lit as a selfie would be.
    const twoFaces = await sharp(await twoFacePhoto())
      .modulate({ brightness: 2 })
      .jpeg()
      .toBuffer()
    await flow.upload('selfie', await flow.token('selfie'), twoFaces, { json: true })
    expect(await feedback(flow, 'selfie')).toMatchObject({ status: 'retake', reasonCode: 'MULTIPLE_FACES' })
    await flow.upload('selfie', await flow.token('selfie'), await selfie(identity), { json: true })
    expect(await feedback(flow, 'selfie')).toEqual({ status: 'ok' })
  })
})
