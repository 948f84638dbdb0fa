import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readOutbox } from '../../src/modules/messaging/index.ts'
import { api, createSandboxAccount } from '../helpers/accounts.ts'
import { buildTestApp, type TestApp } from '../helpers/app.ts'
import { eventually } from '../helpers/databases.ts'
import { DIALECTS } from '../helpers/dialects.ts'
import { startSmsReceiver, startSmtpReceiver } from '../helpers/receivers.ts'

// Issue #10, items 3 (SMS pumping) and 5 (code limits per client, with a global ceiling per address).

const SMS_TOKEN = 'sms-gateway-token'
const HOUR_MS = 60 * 60 * 1000
const SMS_BUDGET = 6
const EMAIL_BUDGET = 8
const ADDRESS_CEILING = 12

describe.each(DIALECTS)('abuse limits on outgoing codes (%s)', (dialect) => {
  let t: TestApp
  let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>
  let sms: Awaited<ReturnType<typeof startSmsReceiver>>
  let sequence = 0
  const uniqueEmail = () => `abuse${++sequence}@example.com`
  const ukPhone = () => {
    const number = `74009${String(10000 + ++sequence).slice(-5)}`
    return { phoneCountryCode: '+44', phoneNumber: number, e164: `+44${number}` }
  }
  const newClient = (mode: 'sandbox' | 'live' = 'sandbox') =>
    t.createClient({ name: `${mode} app ${++sequence}`, mode, regions: ['intl'] })
  const outbox = () => readOutbox(t.runtime.databases.byRegion.intl.db, 1000)
  const metric = async (channel: string) => {
    const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body
    const line = new RegExp(`^verity_message_budget_refused_total\\{channel="${channel}"\\} (\\d+)$`, 'm')
    return Number(line.exec(text)?.[1])
  }
  const statuses = (responses: { statusCode: number }[]) =>
    responses.map((response) => response.statusCode).sort()

  beforeAll(async () => {
    smtp = await startSmtpReceiver()
    sms = await startSmsReceiver(SMS_TOKEN)
    t = await buildTestApp(dialect, {
      worker: true,
      env: {
        SMTP_URL: smtp.url,
        SMS_WEBHOOK_URL: sms.url,
        SMS_WEBHOOK_TOKEN: SMS_TOKEN,
        SMS_HOURLY_BUDGET_PER_CLIENT: String(SMS_BUDGET),
        EMAIL_HOURLY_BUDGET_PER_CLIENT: String(EMAIL_BUDGET),
        CODES_PER_ADDRESS_HOURLY_CEILING: String(ADDRESS_CEILING),
      },
    })
  })
  /** Moves the clock on to a quarter past the next clock hour, so that the budget window's end is known. */
  const quarterPastNextHour = () =>
    t.clock.set(Math.ceil((t.clock.now() + 1) / HOUR_MS) * HOUR_MS + 15 * 60 * 1000)
  afterAll(async () => {
    await t?.close()
    await smtp?.close()
    await sms?.close()
  })

  describe('phone numbers per contact verification', () => {
    it('texts at most 3 distinct numbers per contactVerificationId; a number already used still works', async () => {
      const client = await newClient()
      const http = api(t.app, client.client.clientKey)
      const { contactVerificationId } = await createSandboxAccount(http, uniqueEmail(), 'GB')
      const phones = [ukPhone(), ukPhone(), ukPhone(), ukPhone()]
      const send = (phone: ReturnType<typeof ukPhone>) =>
        http.post('/v1/auth/register/phone/send', {
          phoneCountryCode: phone.phoneCountryCode,
          phoneNumber: phone.phoneNumber,
          contactVerificationId,
        })
      for (const phone of phones.slice(0, 3)) expect((await send(phone)).statusCode, phone.e164).toBe(200)

      const fourth = await send(phones[3] as ReturnType<typeof ukPhone>)
      expect(fourth.statusCode).toBe(429)
      expect(fourth.json()).toEqual({
        message:
          'Codes were already sent to 3 phone numbers for this contactVerificationId; use one of those numbers',
        errorCode: 'PHONE_NUMBER_LIMIT',
        maxPhoneNumbers: 3,
      })
      // Retrying a number already tried is not a new number.
      expect((await send(phones[1] as ReturnType<typeof ukPhone>)).statusCode).toBe(200)
      // The refused number got no code; the others did (the second one twice).
      const recipients = await eventually(async () => {
        const sent = (await outbox()).map((message) => message.recipient)
        expect(sent.filter((to) => to === phones[1]?.e164)).toHaveLength(2)
        return sent
      })
      expect(recipients).not.toContain(phones[3]?.e164)
      for (const phone of phones.slice(0, 3)) expect(recipients).toContain(phone.e164)
    })

    it('holds under a burst of 8 different numbers at once', async () => {
      const client = await newClient()
      const http = api(t.app, client.client.clientKey)
      const { contactVerificationId } = await createSandboxAccount(http, uniqueEmail(), 'GB')
      const responses = await Promise.all(
        Array.from({ length: 8 }, () => {
          const phone = ukPhone()
          return http.post('/v1/auth/register/phone/send', {
            phoneCountryCode: phone.phoneCountryCode,
            phoneNumber: phone.phoneNumber,
            contactVerificationId,
          })
        }),
      )
      expect(statuses(responses)).toEqual([200, 200, 200, 429, 429, 429, 429, 429])
    })
  })

  describe('hourly budget per client', () => {
    it('a burst of 20 email/send gets exactly the email budget through, then 429 with retryAfter', async () => {
      quarterPastNextHour()
      const client = await newClient('live')
      const other = await newClient('live')
      const http = api(t.app, client.client.clientKey)
      const refusedBefore = await metric('email')
      const responses = await Promise.all(
        Array.from({ length: 20 }, () => http.post('/v1/auth/register/email/send', { email: uniqueEmail() })),
      )
      expect(statuses(responses).filter((status) => status === 200)).toHaveLength(EMAIL_BUDGET)
      const refused = responses.filter((response) => response.statusCode === 429)
      expect(refused).toHaveLength(20 - EMAIL_BUDGET)
      for (const [index, response] of refused.entries()) {
        expect(response.json(), `refusal ${index}`).toEqual({
          message: 'This app has sent its hourly quota of messages on this channel; try again later',
          errorCode: 'MESSAGE_BUDGET_EXCEEDED',
          retryAfter: 45 * 60,
          channel: 'email',
        })
        expect(response.headers['retry-after'], `refusal ${index}`).toBe(String(45 * 60))
      }
      expect(await metric('email')).toBe(refusedBefore + 20 - EMAIL_BUDGET)
      // Only the accepted ones were mailed.
      const accepted = responses
        .filter((response) => response.statusCode === 200)
        .map((response) => JSON.parse(response.payload).contactVerificationId as string)
      expect(new Set(accepted).size).toBe(EMAIL_BUDGET)

      // Another client has its own budget; the next clock hour opens a new one.
      expect(
        (
          await api(t.app, other.client.clientKey).post('/v1/auth/register/email/send', {
            email: uniqueEmail(),
          })
        ).statusCode,
      ).toBe(200)
      t.clock.advance(45 * 60 * 1000)
      expect((await http.post('/v1/auth/register/email/send', { email: uniqueEmail() })).statusCode).toBe(200)
    })

    it('a burst of SMS across several registrations stops at the SMS budget', async () => {
      const client = await newClient()
      const http = api(t.app, client.client.clientKey)
      const contacts = []
      for (let i = 0; i < 4; i++) contacts.push(await createSandboxAccount(http, uniqueEmail(), 'GB'))
      const refusedBefore = await metric('sms')
      const responses = await Promise.all(
        contacts.flatMap(({ contactVerificationId }) =>
          Array.from({ length: 3 }, () => {
            const phone = ukPhone()
            return http.post('/v1/auth/register/phone/send', {
              phoneCountryCode: phone.phoneCountryCode,
              phoneNumber: phone.phoneNumber,
              contactVerificationId,
            })
          }),
        ),
      )
      expect(statuses(responses).filter((status) => status === 200)).toHaveLength(SMS_BUDGET)
      const refused = responses.filter((response) => response.statusCode === 429)
      expect(refused.map((response) => response.json().errorCode)).toEqual(
        Array(12 - SMS_BUDGET).fill('MESSAGE_BUDGET_EXCEEDED'),
      )
      expect(await metric('sms')).toBe(refusedBefore + 12 - SMS_BUDGET)
    })
  })

  describe('sandbox clients never send real messages', () => {
    it("a sandbox client's codes go to the outbox only; a live client's reach SMTP and the SMS gateway", async () => {
      const sandbox = await newClient('sandbox')
      const live = await newClient('live')
      const sandboxEmail = uniqueEmail()
      const sandboxPhone = ukPhone()
      const sandboxHttp = api(t.app, sandbox.client.clientKey)
      const { contactVerificationId } = await createSandboxAccount(sandboxHttp, sandboxEmail, 'GB')
      expect(
        (
          await sandboxHttp.post('/v1/auth/register/phone/send', {
            phoneCountryCode: sandboxPhone.phoneCountryCode,
            phoneNumber: sandboxPhone.phoneNumber,
            contactVerificationId,
          })
        ).statusCode,
      ).toBe(200)

      const liveEmail = uniqueEmail()
      expect(
        (await api(t.app, live.client.clientKey).post('/v1/auth/register/email/send', { email: liveEmail }))
          .statusCode,
      ).toBe(200)
      await smtp.codeFor(liveEmail)

      await eventually(async () => {
        const recipients = (await outbox()).map((message) => message.recipient)
        expect(recipients).toContain(sandboxEmail)
        expect(recipients).toContain(sandboxPhone.e164)
      })
      expect(smtp.messages.map((message) => message.to)).not.toContain(sandboxEmail)
      expect(sms.countTo(sandboxPhone.e164)).toBe(0)
      expect((await outbox()).map((message) => message.recipient)).not.toContain(liveEmail)
    })

    it("a live client's SMS reach the gateway and not the outbox", async () => {
      const live = await newClient('live')
      const http = api(t.app, live.client.clientKey)
      const email = uniqueEmail()
      const { contactVerificationId } = (await http.post('/v1/auth/register/email/send', { email })).json()
      const verified = await http.post('/v1/auth/register/email/verify', {
        email,
        password: 'correct horse battery',
        verificationCode: await smtp.codeFor(email),
        contactVerificationId,
        countryOfResidence: 'GB',
        allowMarketing: false,
        allowSms: true,
      })
      expect(verified.statusCode).toBe(200)
      const phone = ukPhone()
      expect(
        (
          await http.post('/v1/auth/register/phone/send', {
            phoneCountryCode: phone.phoneCountryCode,
            phoneNumber: phone.phoneNumber,
            contactVerificationId,
          })
        ).statusCode,
      ).toBe(200)
      await sms.codeFor(phone.e164)
      expect((await outbox()).map((message) => message.recipient)).not.toContain(phone.e164)
    })
  })

  describe('code limits per client and address', () => {
    it("one client's exhausted limit for an address does not block another client; the global ceiling holds", async () => {
      const email = uniqueEmail()
      const clients = [await newClient('live'), await newClient('live'), await newClient('live')]
      const sandboxes = [await newClient('sandbox'), await newClient('sandbox'), await newClient('sandbox')]
      // Sandbox codes never reach the address, so they do not count towards its ceiling.
      for (const sandbox of sandboxes)
        for (let i = 0; i < 5; i++)
          expect(
            (await api(t.app, sandbox.client.clientKey).post('/v1/auth/register/email/send', { email }))
              .statusCode,
          ).toBe(200)
      const sendFrom = (index: number) =>
        api(t.app, clients[index]?.client.clientKey as string).post('/v1/auth/register/email/send', { email })

      for (let i = 0; i < 5; i++) expect((await sendFrom(0)).statusCode).toBe(200)
      const limited = await sendFrom(0)
      expect(limited.statusCode).toBe(429)
      expect(limited.json()).toMatchObject({ errorCode: 'RATE_LIMITED', retryAfter: 3600 })

      // Client B is not blocked by what client A did...
      for (let i = 0; i < 5; i++) expect((await sendFrom(1)).statusCode).toBe(200)
      // The clock moves only once those mails are sent and their jobs finished: moved under a running
      // job, it would expire the job's lease and the mail would go out twice.
      await eventually(async () => {
        expect(smtp.messages.filter((message) => message.to === email)).toHaveLength(10)
        const running = await t.runtime.databases.byRegion.intl.db
          .selectFrom('job')
          .select('type')
          .where('status', '=', 'running')
          .execute()
        expect(running).toEqual([])
      })
      t.clock.advance(60 * 1000)
      // ...but all clients together stop at the ceiling (12 = 5 + 5 + 2), a minute younger than A's.
      expect((await sendFrom(2)).statusCode).toBe(200)
      expect((await sendFrom(2)).statusCode).toBe(200)
      const ceiling = await sendFrom(2)
      expect(ceiling.statusCode).toBe(429)
      // What reached the mail server: the live clients' 12, none of the sandbox clients' 15.
      await eventually(() =>
        expect(smtp.messages.filter((message) => message.to === email)).toHaveLength(ADDRESS_CEILING),
      )
      expect(ceiling.json()).toEqual({
        message: 'Too many codes requested; try again later',
        errorCode: 'RATE_LIMITED',
        retryAfter: 3600 - 60,
      })
      expect(ceiling.headers['retry-after']).toBe(String(3600 - 60))
    })

    it('a burst of 12 sends to one address from one client gets exactly 5 codes', async () => {
      const client = await newClient()
      const http = api(t.app, client.client.clientKey)
      const email = uniqueEmail()
      const responses = await Promise.all(
        Array.from({ length: 12 }, () => http.post('/v1/auth/register/email/send', { email })),
      )
      expect(statuses(responses)).toEqual([...Array(5).fill(200), ...Array(7).fill(429)])
      expect(
        responses
          .filter((response) => response.statusCode === 429)
          .map((response) => response.json().errorCode),
      ).toEqual(Array(7).fill('RATE_LIMITED'))
    })
  })
})
