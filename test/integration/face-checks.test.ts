import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { showCase } from '../../src/modules/review/index.ts'
import { documentPhoto, IDENTITIES, type Identity, selfie } from '../fixtures/faces.ts'
import { api, type Codes, register } from '../helpers/accounts.ts'
import { buildTestApp, type TestApp } from '../helpers/app.ts'
import { eventually } from '../helpers/databases.ts'
import { DIALECTS } from '../helpers/dialects.ts'
import { startSmsReceiver, startSmtpReceiver } from '../helpers/receivers.ts'
import { csrfOf, flowClient, openLink } from '../helpers/sessions.ts'

const SMS_TOKEN = 'sms-gateway-token'

/**
 * The face checks in the worker, on a live client's submission through the hosted flow: the real
 * models read the uploaded passport photo and selfie, and the results are stored for the reviewer.
 */
describe.each(DIALECTS)('face checks on a live submission (%s)', (dialect) => {
  let t: TestApp
  let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>
  let sms: Awaited<ReturnType<typeof startSmsReceiver>>
  let live: Awaited<ReturnType<TestApp['createClient']>>
  let codes: Codes
  let sequence = 0

  beforeAll(async () => {
    smtp = await startSmtpReceiver()
    sms = await startSmsReceiver(SMS_TOKEN)
    t = await buildTestApp(dialect, {
      worker: true,
      env: { SMTP_URL: smtp.url, SMS_WEBHOOK_URL: sms.url, SMS_WEBHOOK_TOKEN: SMS_TOKEN },
    })
    live = await t.createClient({ name: 'live faces', mode: 'live', regions: ['intl'] })
    codes = { email: smtp.codeFor, sms: sms.codeFor }
  })
  afterAll(async () => {
    await t.close()
    await smtp.close()
    await sms.close()
  })

  /** A live user who submits a passport photo and a selfie through the hosted flow (no camera challenge). */
  const submit = async (photos: { document: Buffer; selfie: Buffer }) => {
    sequence += 1
    const number = `74009${String(10000 + sequence).slice(-5)}`
    const registered = await register(t.app, live.client.clientKey, codes, {
      email: `faces${sequence}-${dialect}@example.com`,
      password: 'correct horse battery',
      region: 'intl',
      country: 'GB',
      phone: { countryCode: '+44', number, e164: `+44${number}` },
    })
    const started = await api(t.app, live.client.clientKey).get('/v1/user/verification', {
      authorization: `Bearer ${registered.accessToken}`,
    })
    const { sessionUrl, sessionId } = started.json() as { sessionUrl: string; sessionId: string }
    const browser = {}
    expect((await openLink(t.app, sessionUrl, browser)).statusCode).toBe(303)
    const flow = flowClient(t.app, browser)
    expect(
      (await flow.form('consent', { csrf: await flow.token('consent'), consent: 'yes' })).statusCode,
    ).toBe(303)
    const chosen = await flow.form('document', {
      csrf: await flow.token('document'),
      documentType: 'passport',
      issuingCountry: 'GB',
    })
    expect(chosen.statusCode).toBe(303)
    expect((await flow.upload('front', await flow.token('front'), photos.document)).statusCode).toBe(303)
    expect((await flow.upload('selfie', await flow.token('selfie'), photos.selfie)).statusCode).toBe(303)
    const review = await flow.page('/verify/flow/review')
    expect((await flow.form('review', { csrf: csrfOf(review.body) })).statusCode).toBe(303)
    return eventually(async () => {
      const shown = await showCase(t.runtime, sessionId)
      expect(shown.checks.length).toBeGreaterThan(0)
      return shown
    }, 60_000)
  }

  const checkOf = (shown: Awaited<ReturnType<typeof submit>>, id: string) =>
    shown.checks.find((check) => check.check === id)

  it('finds one face that matches the portrait, and sends the case without a camera challenge to a person', async () => {
    const person = IDENTITIES[3] as Identity
    const shown = await submit({ document: await documentPhoto(person), selfie: await selfie(person) })
    // A person: no sanctions list is imported here (screening unavailable), and there is no challenge.
    expect(shown.outcome).toBe('review')
    expect(checkOf(shown, 'selfie-face')).toMatchObject({ outcome: 'pass' })
    const match = checkOf(shown, 'face-match')
    expect(match).toMatchObject({ outcome: 'pass', evidence: { thresholds: { match: 0.69, review: 0.6 } } })
    expect(match?.score).toBeGreaterThanOrEqual(0.69)
    expect(checkOf(shown, 'liveness')).toMatchObject({
      outcome: 'inconclusive',
      reason: 'LIVENESS_CHALLENGE_MISSING',
    })
  }, 120_000)

  it('records another person on the selfie as a face mismatch', async () => {
    const shown = await submit({
      document: await documentPhoto(IDENTITIES[5] as Identity),
      selfie: await selfie(IDENTITIES[12] as Identity),
    })
    expect(checkOf(shown, 'face-match')).toMatchObject({ outcome: 'fail', reason: 'FACE_MISMATCH' })
    // Not approved either way; the rules send it to a person while the liveness check cannot conclude.
    expect(shown.outcome).not.toBe('approved')
  }, 120_000)
})
