import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeUser } from '../../src/modules/operator/index.ts'
import { decide, submitSession } from '../../src/modules/verification/index.ts'
import { api, createSandboxAccount } from '../helpers/accounts.ts'
import { buildTestApp, type TestApp } from '../helpers/app.ts'
import { DIALECTS } from '../helpers/dialects.ts'
import { openLink } from '../helpers/sessions.ts'

describe.each(DIALECTS)('identity data is checked once and then frozen (%s)', (dialect) => {
  let t: TestApp
  let clientKey: string
  let sequence = 0

  beforeAll(async () => {
    t = await buildTestApp(dialect)
    clientKey = (await t.createClient({ name: 'identity', mode: 'sandbox', regions: ['intl', 'us'] })).client
      .clientKey
  })
  afterAll(() => t.close())

  const ok = <T>(response: { statusCode: number; body: string; json(): T }, step: string): T => {
    if (response.statusCode !== 200) throw new Error(`${step}: ${response.statusCode} ${response.body}`)
    return response.json()
  }

  /** An account with email and phone verified, nothing else (sandbox codes: 000000). */
  const accountWithPhone = async (region: 'intl' | 'us' = 'intl') => {
    sequence += 1
    const http = api(t.app, clientKey, region)
    const account = await createSandboxAccount(
      http,
      `identity${sequence}@example.com`,
      region === 'us' ? 'US' : 'GB',
    )
    const phone =
      region === 'us'
        ? { phoneCountryCode: '+1', phoneNumber: '2015550143' }
        : { phoneCountryCode: '+44', phoneNumber: `74003${String(10000 + sequence).slice(-5)}` }
    const contact = { ...phone, contactVerificationId: account.contactVerificationId }
    ok(await http.post('/v1/auth/register/phone/send', contact), 'phone/send')
    ok(
      await http.post('/v1/auth/register/phone/verify', {
        ...contact,
        onboardingId: account.onboardingId,
        verificationCode: '000000',
      }),
      'phone/verify',
    )
    return { http, region, onboardingId: account.onboardingId, userId: account.user.id as string }
  }
  type Account = Awaited<ReturnType<typeof accountWithPhone>>

  const details = (account: Account, firstName = 'Test', lastName = 'Approved') =>
    account.http.post('/v1/auth/register/personal-details', {
      onboardingId: account.onboardingId,
      firstName,
      lastName,
      dateOfBirth: '1990-01-31',
      countryOfNationality: account.region === 'us' ? 'US' : 'GB',
      ...(account.region === 'us' ? { ssn: '123-45-6789' } : {}),
    })
  const usAddress = (account: Account, addressLine1: string, isSameMailingAddress: boolean) =>
    account.http.post('/v1/auth/register/address', {
      onboardingId: account.onboardingId,
      addressLine1,
      city: 'New York',
      zip: '10001',
      usState: 'NY',
      isSameMailingAddress,
    })
  const onboardingLink = (account: Account) =>
    account.http.post('/v1/auth/register/verification', { onboardingId: account.onboardingId })
  const storedUser = (account: Account) =>
    t.runtime.databases.byRegion[account.region].db
      .selectFrom('app_user')
      .selectAll()
      .where('id', '=', account.userId)
      .executeTakeFirstOrThrow()
  /** Opens the onboarding link in a browser and submits it (documents are the capture tests' business). */
  const submitThroughLink = async (account: Account, includesAddress: boolean) => {
    const link = ok(await onboardingLink(account), 'register/verification') as {
      sessionUrl: string
      sessionId: string
    }
    expect((await openLink(t.app, link.sessionUrl)).statusCode).toBe(303)
    await submitSession(
      t.runtime,
      t.runtime.databases.byRegion[account.region],
      link.sessionId,
      true,
      async () => ({
        includesAddress,
      }),
    )
    return link.sessionId
  }

  it('gives no verification link before the personal details are in (409 naming the missing step)', async () => {
    const emailOnly = await createSandboxAccount(
      api(t.app, clientKey),
      `email-only-${sequence}@example.com`,
      'GB',
    )
    const early = await api(t.app, clientKey).post('/v1/auth/register/verification', {
      onboardingId: emailOnly.onboardingId,
    })
    expect([early.statusCode, early.json()]).toEqual([
      409,
      expect.objectContaining({ errorCode: 'ONBOARDING_STEP_MISSING', missingStep: 'PHONE_NUMBER' }),
    ])
    const account = await accountWithPhone()
    const beforeDetails = await onboardingLink(account)
    expect(beforeDetails.statusCode).toBe(409)
    expect(beforeDetails.json()).toMatchObject({
      errorCode: 'ONBOARDING_STEP_MISSING',
      missingStep: 'PERSONAL_INFORMATION',
    })
    ok(await details(account), 'personal-details')
    expect((await onboardingLink(account)).statusCode).toBe(200)
  })

  it('in us, where proof of address is asked, the link waits for the address too', async () => {
    const account = await accountWithPhone('us')
    ok(await details(account), 'personal-details')
    const early = await onboardingLink(account)
    expect(early.statusCode).toBe(409)
    expect(early.json().missingStep).toBe('PHYSICAL_ADDRESS')
  })

  it('refuses new personal details once documents were submitted, and after the decision, changing nothing', async () => {
    const account = await accountWithPhone()
    ok(await details(account), 'personal-details')
    const sessionId = await submitThroughLink(account, false)
    const before = await storedUser(account)

    const whilePending = await details(account, 'Someone', 'Else')
    expect([whilePending.statusCode, whilePending.json().errorCode]).toEqual([409, 'IDENTITY_FROZEN'])
    const decided = await decide(t.runtime, t.runtime.databases.byRegion.intl, sessionId, {
      outcome: 'approved',
      reasons: [],
    })
    expect(decided).toBe(true)
    const afterDecision = await details(account, 'Someone', 'Else')
    expect([afterDecision.statusCode, afterDecision.json().errorCode]).toEqual([409, 'IDENTITY_FROZEN'])

    const after = await storedUser(account)
    expect(after).toMatchObject({
      first_name: before.first_name,
      last_name: before.last_name,
      date_of_birth: before.date_of_birth,
      country_of_nationality: before.country_of_nationality,
      verification_state: 'VERIFIED',
    })
  })

  it('records what was checked with the submission and the decision', async () => {
    const account = await accountWithPhone()
    ok(await details(account, 'Test', 'Approved'), 'personal-details')
    const sessionId = await submitThroughLink(account, false)
    await decide(t.runtime, t.runtime.databases.byRegion.intl, sessionId, {
      outcome: 'approved',
      reasons: [],
    })

    const session = await t.runtime.databases.byRegion.intl.db
      .selectFrom('verification_session')
      .select(['identity_sealed', 'identity_digest'])
      .where('id', '=', sessionId)
      .executeTakeFirstOrThrow()
    // Sealed at rest: the name is not readable in the row.
    expect(session.identity_sealed).not.toContain('Approved')
    expect(session.identity_digest).toMatch(/^[0-9a-f]{64}$/)

    const shown = await describeUser(t.runtime, account.userId)
    const decision = shown.stateHistory.find((step) => step.to === 'VERIFIED')
    expect(decision?.identityDigest).toBe(session.identity_digest)
    expect(shown.checkedIdentity).toMatchObject({
      sessionId,
      digest: session.identity_digest,
      matchesCurrentData: true,
      identity: {
        firstName: 'Test',
        lastName: 'Approved',
        dateOfBirth: '1990-01-31',
        countryOfNationality: 'GB',
        address: null,
      },
    })
  })

  it('freezes the address once a proof of address was submitted; the mailing address may still be given', async () => {
    const account = await accountWithPhone('us')
    ok(await details(account), 'personal-details')
    ok(await usAddress(account, '5 Hudson Yards', false), 'address')
    await submitThroughLink(account, true)

    const moved = await usAddress(account, '1 Elsewhere Ave', false)
    expect([moved.statusCode, moved.json().errorCode]).toEqual([409, 'IDENTITY_FROZEN'])
    expect((await storedUser(account)).address_line1).toBe('5 Hudson Yards')
    const mailing = await account.http.post('/v1/auth/register/mailing-address', {
      onboardingId: account.onboardingId,
      addressLine1: 'PO Box 7',
      city: 'New York',
      zip: '10002',
      usState: 'NY',
    })
    expect(mailing.statusCode).toBe(200)
    expect((await describeUser(t.runtime, account.userId)).checkedIdentity?.identity.address).toMatchObject({
      line1: '5 Hudson Yards',
    })
  })
})
