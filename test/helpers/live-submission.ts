import type { Dialect } from '../../src/db/database.ts'
import { type Codes, register } from './accounts.ts'
import { buildTestApp, type TestApp, type TestAppOptions } from './app.ts'
import { startVerification, type TestUser } from './capture.ts'
import { eventually } from './databases.ts'
import { startSmsReceiver, startSmtpReceiver } from './receivers.ts'
import { type Browser, flowClient, openLink } from './sessions.ts'

/** Who registers: what the document should match (or, in a labelled case, not match). */
export type Person = {
  firstName: string
  lastName: string
  /** YYYY-MM-DD */
  dateOfBirth: string
  /** ISO alpha-2 country of residence (and nationality unless given). */
  country: string
  nationality?: string
  region?: 'intl' | 'us'
  ssn?: string
  address?: { line1: string; city: string; zip: string }
}

/** What the person photographs in the hosted flow. */
export type Submission = {
  documentType: 'passport' | 'id_card' | 'driving_licence' | 'residence_permit'
  /** ISO alpha-2, as the user chooses it on the document step. */
  issuingCountry: string
  front: Buffer
  back?: Buffer
  selfie: Buffer
  proofOfAddress?: Buffer
}

const SMS_TOKEN = 'live-submission-sms-token'
/** A structurally valid SSN that is none of the publicised ones. */
const US_SSN = '536-22-8741'

/**
 * A live client on a real app with its worker, real SMTP and SMS receivers for the codes: people register
 * over HTTP, go through the hosted flow over HTTP, and the real checks decide.
 */
export const liveHarness = async (dialect: Dialect, options: TestAppOptions = {}) => {
  const smtp = await startSmtpReceiver()
  const sms = await startSmsReceiver(SMS_TOKEN)
  const t: TestApp = await buildTestApp(dialect, {
    worker: true,
    ...options,
    env: { SMTP_URL: smtp.url, SMS_WEBHOOK_URL: sms.url, SMS_WEBHOOK_TOKEN: SMS_TOKEN, ...options.env },
  })
  const live = await t.createClient({ name: 'Live Wallet', mode: 'live', regions: ['intl', 'us'] })
  const codes: Codes = { email: smtp.codeFor, sms: sms.codeFor }
  let sequence = 0

  const registerPerson = async (person: Person): Promise<TestUser> => {
    sequence += 1
    const region = person.region ?? (person.country === 'US' ? 'us' : 'intl')
    const email = `person${sequence}-${Date.now()}@example.com`
    const number = `74003${String(10000 + sequence).slice(-5)}`
    const registered = await register(t.app, live.client.clientKey, codes, {
      email,
      password: 'correct horse battery',
      region,
      country: person.country,
      phone:
        region === 'us'
          ? {
              countryCode: '+1',
              number: `20155501${String(100 + sequence).slice(-2)}`,
              e164: `+120155501${String(100 + sequence).slice(-2)}`,
            }
          : { countryCode: '+44', number, e164: `+44${number}` },
      ...(region === 'us' ? { ssn: person.ssn ?? US_SSN, usState: 'NY' } : {}),
      firstName: person.firstName,
      lastName: person.lastName,
      dateOfBirth: person.dateOfBirth,
      ...(person.nationality ? { nationality: person.nationality } : {}),
      ...(person.address ? { address: person.address } : {}),
    })
    return {
      id: registered.user.id as string,
      email,
      token: registered.accessToken,
      onboardingId: registered.onboardingId,
      region,
      database: t.runtime.databases.byRegion[region],
    }
  }

  /**
   * Walks the hosted flow step by step, as the server leads, and submits. With `challengeFrames`, the
   * selfie is uploaded as the camera page does (JSON) and the frames answer the challenge the server
   * sends back (one frame per pose, in order). Returns the session id. A user of another client (a
   * sandbox one) names its client key.
   */
  const submit = async (
    user: TestUser,
    submission: Submission,
    challengeFrames?: (steps: string[]) => Buffer[],
    clientKey = live.client.clientKey,
  ): Promise<string> => {
    const url = await startVerification(t, clientKey, user)
    const browser: Browser = {}
    await openLink(t.app, url, browser)
    const flow = flowClient(t.app, browser)
    let step = 'consent'
    for (let turns = 0; turns < 12; turns++) {
      const csrf = await flow.token(step)
      const answered =
        step === 'consent'
          ? await flow.form(step, { csrf, consent: 'yes' })
          : step === 'document'
            ? await flow.form(step, {
                csrf,
                documentType: submission.documentType,
                issuingCountry: submission.issuingCountry,
              })
            : step === 'ssn'
              ? await flow.form(step, { csrf, ssn: US_SSN })
              : step === 'review'
                ? await flow.form(step, { csrf })
                : step === 'selfie' && challengeFrames
                  ? await answerChallenge(
                      browser,
                      await flow.upload(step, csrf, fileFor(step, submission), { json: true }),
                      challengeFrames,
                    )
                  : await flow.upload(step, csrf, fileFor(step, submission))
      if (answered.statusCode !== 303) throw new Error(`${step}: ${answered.statusCode} ${answered.body}`)
      const next = String(answered.headers.location)
      if (next === '/verify/status') break
      step = next.replace('/verify/flow/', '')
    }
    const session = await user.database.db
      .selectFrom('verification_session')
      .select(['id', 'status'])
      .where('user_id', '=', user.id)
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow()
    if (session.status !== 'submitted') throw new Error(`session not submitted: ${session.status}`)
    return session.id
  }

  /** Posts the frames as the page does (`csrf`, `challenge`, one `frame` per pose); answers like a redirect. */
  const answerChallenge = async (
    browser: Browser,
    selfie: { statusCode: number; body: string; json(): unknown },
    challengeFrames: (steps: string[]) => Buffer[],
  ) => {
    if (selfie.statusCode !== 200) throw new Error(`selfie: ${selfie.statusCode} ${selfie.body}`)
    const { challenge } = selfie.json() as {
      challenge?: { id: string; steps: string[]; csrf: string; url: string }
    }
    if (!challenge) throw new Error('the selfie upload sent no challenge')
    const form = new FormData()
    form.append('csrf', challenge.csrf)
    form.append('challenge', challenge.id)
    for (const [index, frame] of challengeFrames(challenge.steps).entries())
      form.append('frame', new Blob([new Uint8Array(frame)]), `frame-${index + 1}.jpg`)
    const request = new Request('http://localhost/', { method: 'POST', body: form })
    const answered = await t.app.inject({
      method: 'POST',
      url: challenge.url,
      headers: {
        ...(browser.cookie ? { cookie: browser.cookie } : {}),
        'content-type': request.headers.get('content-type') as string,
        accept: 'application/json',
      },
      payload: Buffer.from(await request.arrayBuffer()),
    })
    if (answered.statusCode !== 200) throw new Error(`challenge: ${answered.statusCode} ${answered.body}`)
    return { statusCode: 303, body: '', headers: { location: (answered.json() as { next: string }).next } }
  }

  /** Waits until the checks have decided the session (or sent it to a person). */
  const decisionOf = async (user: TestUser, sessionId: string, timeoutMs = 60_000) => {
    let found: { outcome: string | null; verification_state: string; reasons: string[] } | undefined
    await eventually(async () => {
      const session = await user.database.db
        .selectFrom('verification_session')
        .select(['outcome', 'reasons'])
        .where('id', '=', sessionId)
        .executeTakeFirstOrThrow()
      if (session.outcome === null) throw new Error('not decided yet')
      const state = await user.database.db
        .selectFrom('app_user')
        .select('verification_state')
        .where('id', '=', user.id)
        .executeTakeFirstOrThrow()
      found = {
        outcome: session.outcome,
        verification_state: state.verification_state,
        reasons: (JSON.parse(session.reasons) as { code: string }[]).map((reason) => reason.code),
      }
    }, timeoutMs)
    return found as { outcome: string; verification_state: string; reasons: string[] }
  }

  return {
    t,
    live,
    registerPerson,
    submit,
    decisionOf,
    close: async () => {
      await t.close()
      await smtp.close()
      await sms.close()
    },
  }
}

const fileFor = (step: string, submission: Submission): Buffer => {
  const file =
    step === 'front'
      ? submission.front
      : step === 'back'
        ? submission.back
        : step === 'selfie'
          ? submission.selfie
          : step === 'address'
            ? submission.proofOfAddress
            : undefined
  if (!file) throw new Error(`the flow asks for ${step}, and the submission has no such file`)
  return file
}
