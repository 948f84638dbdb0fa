import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sandboxDecision } from '../../src/modules/sandbox/index.ts'
import { decide, reason, submitSession } from '../../src/modules/verification/index.ts'
import { api } from '../helpers/accounts.ts'
import { buildTestApp, type TestApp } from '../helpers/app.ts'
import { registerSandboxUser, type TestUser } from '../helpers/capture.ts'
import { DIALECTS } from '../helpers/dialects.ts'
import { openLink } from '../helpers/sessions.ts'

const GLOBAL_TYPES = ['termsAndPrivacy', 'marketingNotifications', 'smsNotifications', 'emailNotifications']
const US_TYPES = ['eSignAct', ...GLOBAL_TYPES]

/**
 * What Ledger Live's zod schema of GET /v1/card/status requires (real-clients.md B2): id, panLast4,
 * status and type from their lists, orderedAt; holderName and expiryDate (YYYY/MM) optional. MetaMask
 * reads the same fields and isFreezable.
 */
const ledgerCardStatusProblems = (body: Record<string, unknown>): string[] => {
  const problems: string[] = []
  const nonEmpty = (field: string) => {
    if (typeof body[field] !== 'string' || (body[field] as string).length === 0) problems.push(field)
  }
  nonEmpty('id')
  nonEmpty('panLast4')
  nonEmpty('orderedAt')
  if (!['ACTIVE', 'FROZEN', 'BLOCKED', 'INACTIVE'].includes(body.status as string)) problems.push('status')
  if (!['VIRTUAL', 'PHYSICAL', 'METAL'].includes(body.type as string)) problems.push('type')
  if (Number.isNaN(Date.parse(body.orderedAt as string))) problems.push('orderedAt')
  if (body.holderName !== undefined && typeof body.holderName !== 'string') problems.push('holderName')
  if (body.expiryDate !== undefined && !/^\d{4}\/\d{2}$/.test(body.expiryDate as string))
    problems.push('expiryDate')
  if (typeof body.isFreezable !== 'boolean') problems.push('isFreezable')
  return problems
}

describe.each(DIALECTS)('cards (%s)', (dialect) => {
  let t: TestApp
  beforeAll(async () => {
    t = await buildTestApp(dialect)
  })
  afterAll(() => t.close())

  const setup = async (regions: Array<'intl' | 'us'> = ['intl']) => {
    const { client, secretKey } = await t.createClient({ regions })
    return { clientKey: client.clientKey, secretKey }
  }
  type Setup = Awaited<ReturnType<typeof setup>>

  /** The user's card calls as a wallet app makes them: the user's bearer token, JSON content type. */
  const card = (clientKey: string, user: TestUser) => {
    const headers = {
      'x-client-key': clientKey,
      authorization: `Bearer ${user.token}`,
      ...(user.region === 'us' ? { 'x-us-env': 'true' } : {}),
    }
    return {
      order: (type = 'VIRTUAL') =>
        t.app.inject({ method: 'POST', url: '/v1/card/order', headers, payload: { type } }),
      status: () => t.app.inject({ method: 'GET', url: '/v1/card/status', headers }),
      /** Ledger sends no body with a JSON content type; MetaMask sends {}. */
      post: (path: string, payload: string) =>
        t.app.inject({
          method: 'POST',
          url: path,
          headers: { ...headers, 'content-type': 'application/json' },
          payload,
        }),
    }
  }

  /** Records and links the user's consent set (the client's backend, with its secret key). */
  const giveConsent = async ({ clientKey, secretKey }: Setup, user: TestUser, policyType = 'global') => {
    const headers = {
      'x-client-key': clientKey,
      'x-secret-key': secretKey,
      ...(user.region === 'us' ? { 'x-us-env': 'true' } : {}),
    }
    const types = policyType === 'US' ? US_TYPES : GLOBAL_TYPES
    const created = await t.app.inject({
      method: 'POST',
      url: '/v2/consent/onboarding',
      headers,
      payload: {
        onboardingId: user.onboardingId,
        tenantId: clientKey,
        policyType,
        consents: types.map((consentType) => ({ consentType, consentStatus: 'granted' })),
      },
    })
    expect(created.statusCode).toBe(201)
    const { consentSetId, consents } = created.json()
    const linked = await t.app.inject({
      method: 'PATCH',
      url: `/v2/consent/onboarding/${consentSetId}`,
      headers,
      payload: { userId: user.id },
    })
    expect(linked.statusCode).toBe(200)
    return {
      consentSetId: consentSetId as string,
      consents: consents as Array<{ consentId: string; consentType: string }>,
      headers,
    }
  }

  /** Submits a verification and records the decision a sandbox submission gets (or the one given). */
  const verify = async (clientKey: string, user: TestUser, decision?: Parameters<typeof decide>[3]) => {
    const link = await api(t.app, clientKey, user.region).get('/v1/user/verification', {
      authorization: `Bearer ${user.token}`,
    })
    expect(link.statusCode).toBe(200)
    const { sessionUrl, sessionId } = link.json()
    expect((await openLink(t.app, sessionUrl)).statusCode).toBe(303)
    await submitSession(t.runtime, user.database, sessionId, true)
    const row = await user.database.db
      .selectFrom('app_user')
      .selectAll()
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow()
    expect(await decide(t.runtime, user.database, sessionId, decision ?? sandboxDecision(row))).toBe(true)
  }

  describe('200', () => {
    it('refuses the order before VERIFIED and accepts it after (sandbox Test Approved)', async () => {
      const setupKeys = await setup()
      const user = await registerSandboxUser(t, setupKeys.clientKey)
      await giveConsent(setupKeys, user)
      const cards = card(setupKeys.clientKey, user)

      const early = await cards.order()
      expect([early.statusCode, early.json()]).toEqual([
        400,
        {
          message: 'User is not verified: a card can be ordered once verificationState is VERIFIED',
          errorCode: 'CARD_USER_NOT_VERIFIED',
          verificationState: 'UNVERIFIED',
        },
      ])
      expect((await cards.status()).statusCode).toBe(404)

      await verify(setupKeys.clientKey, user)
      const ordered = await cards.order()
      expect([ordered.statusCode, ordered.json()]).toEqual([200, { success: true }])

      const status = await cards.status()
      expect(status.statusCode).toBe(200)
      const body = status.json()
      expect(ledgerCardStatusProblems(body)).toEqual([])
      expect(body).toEqual({
        id: expect.stringMatching(/^\d{18}$/),
        holderName: 'TEST APPROVED',
        expiryDate: `${new Date(t.clock.now()).getUTCFullYear() + 3}/${String(new Date(t.clock.now()).getUTCMonth() + 1).padStart(2, '0')}`,
        panLast4: expect.stringMatching(/^\d{4}$/),
        status: 'ACTIVE',
        type: 'VIRTUAL',
        orderedAt: new Date(t.clock.now()).toISOString(),
        isFreezable: true,
      })
      // No full PAN is stored anywhere: the row holds the last four digits only.
      const row = await user.database.db
        .selectFrom('card')
        .selectAll()
        .where('user_id', '=', user.id)
        .executeTakeFirstOrThrow()
      expect(
        Object.values(row).filter((value) => typeof value === 'string' && /^\d{12,19}$/.test(value)),
      ).toEqual([row.id])
    })

    it('freezes with an empty body and unfreezes with {} (JSON content type), each idempotent', async () => {
      const keys = await setup()
      const user = await registerSandboxUser(t, keys.clientKey)
      await giveConsent(keys, user)
      await verify(keys.clientKey, user)
      const cards = card(keys.clientKey, user)
      expect((await cards.order()).statusCode).toBe(200)

      for (const payload of ['', '{}']) {
        const frozen = await cards.post('/v1/card/freeze', payload)
        expect([frozen.statusCode, frozen.json()]).toEqual([200, { success: true }])
      }
      expect((await cards.status()).json()).toEqual(
        expect.objectContaining({ status: 'FROZEN', isFreezable: true }),
      )
      for (const payload of ['{}', '']) {
        const active = await cards.post('/v1/card/unfreeze', payload)
        expect([active.statusCode, active.json()]).toEqual([200, { success: true }])
      }
      expect((await cards.status()).json().status).toBe('ACTIVE')
      // With no content type and no body at all, as some HTTP clients send a body-less POST.
      const bare = await t.app.inject({
        method: 'POST',
        url: '/v1/card/freeze',
        headers: { 'x-client-key': keys.clientKey, authorization: `Bearer ${user.token}` },
      })
      expect(bare.statusCode).toBe(200)
    })

    /** A re-verification rejected, then (after the 24 h cooldown, with a fresh login) one approved. */
    const rejectThenVerify = async (keys: Setup, user: TestUser) => {
      const cards = card(keys.clientKey, user)
      await verify(keys.clientKey, user, { outcome: 'rejected', reasons: [reason('FACE_MISMATCH')] })
      expect((await cards.status()).json()).toEqual(
        expect.objectContaining({ status: 'FROZEN', isFreezable: false }),
      )
      const unfreeze = await cards.post('/v1/card/unfreeze', '{}')
      expect([unfreeze.statusCode, unfreeze.json()]).toEqual([
        400,
        {
          message: 'This card cannot be frozen or unfrozen by its holder now (see its status)',
          errorCode: 'CARD_NOT_FREEZABLE',
          status: 'FROZEN',
        },
      ])
      t.clock.advance(25 * 60 * 60 * 1000)
      const login = await api(t.app, keys.clientKey).post('/v1/auth/login', {
        email: user.email,
        password: 'correct horse battery',
      })
      user.token = login.json().accessToken
      await verify(keys.clientKey, user)
      return card(keys.clientKey, user)
    }

    it('freezes the card when a re-verification is rejected, and lifts that freeze once VERIFIED again', async () => {
      const keys = await setup()
      const user = await registerSandboxUser(t, keys.clientKey)
      await giveConsent(keys, user)
      await verify(keys.clientKey, user)
      expect((await card(keys.clientKey, user).order()).statusCode).toBe(200)
      const cards = await rejectThenVerify(keys, user)
      expect((await cards.status()).json()).toEqual(
        expect.objectContaining({ status: 'ACTIVE', isFreezable: true }),
      )
    })

    it("keeps the holder's own freeze through a rejection and back to VERIFIED (a lost card stays frozen)", async () => {
      const keys = await setup()
      const user = await registerSandboxUser(t, keys.clientKey)
      await giveConsent(keys, user)
      await verify(keys.clientKey, user)
      const ordered = card(keys.clientKey, user)
      expect((await ordered.order()).statusCode).toBe(200)
      expect((await ordered.post('/v1/card/freeze', '')).statusCode).toBe(200)
      const cards = await rejectThenVerify(keys, user)
      // The holder's freeze again, which only the holder lifts.
      expect((await cards.status()).json()).toEqual(
        expect.objectContaining({ status: 'FROZEN', isFreezable: true }),
      )
      expect((await cards.post('/v1/card/unfreeze', '{}')).statusCode).toBe(200)
      expect((await cards.status()).json()).toEqual(
        expect.objectContaining({ status: 'ACTIVE', isFreezable: true }),
      )
    })
  })

  describe('400', () => {
    it('refuses a second card with the contract body', async () => {
      const keys = await setup()
      const user = await registerSandboxUser(t, keys.clientKey)
      await giveConsent(keys, user)
      await verify(keys.clientKey, user)
      const cards = card(keys.clientKey, user)
      const [first, second] = await Promise.all([cards.order(), cards.order()])
      expect([first.statusCode, second.statusCode].sort()).toEqual([200, 400])
      const again = await cards.order()
      expect([again.statusCode, again.json()]).toEqual([
        400,
        { message: 'User already has a card', errorCode: 'CARD_ALREADY_ISSUED' },
      ])
    })

    it('refuses a verified user without complete consent: none, revoked terms, or a global set in the us region', async () => {
      const keys = await setup(['intl', 'us'])
      const user = await registerSandboxUser(t, keys.clientKey)
      await verify(keys.clientKey, user)
      const none = await card(keys.clientKey, user).order()
      expect([none.statusCode, none.json().errorCode]).toEqual([400, 'CARD_CONSENT_REQUIRED'])

      const { consentSetId, consents, headers } = await giveConsent(keys, user)
      const terms = consents.find((consent) => consent.consentType === 'termsAndPrivacy')
      const revoked = await t.app.inject({
        method: 'DELETE',
        url: `/v2/consent/consentSet/${consentSetId}/consent/${terms?.consentId}`,
        headers,
      })
      expect(revoked.statusCode).toBe(200)
      expect((await card(keys.clientKey, user).order()).json().errorCode).toBe('CARD_CONSENT_REQUIRED')

      const us = await registerSandboxUser(t, keys.clientKey, { region: 'us' })
      await verify(keys.clientKey, us)
      await giveConsent(keys, us, 'global')
      expect((await card(keys.clientKey, us).order()).json().errorCode).toBe('CARD_CONSENT_REQUIRED')
      await giveConsent(keys, us, 'US')
      expect((await card(keys.clientKey, us).order()).statusCode).toBe(200)
    })
  })

  describe('401', () => {
    it('needs the bearer token on every card route, from the user’s region', async () => {
      const keys = await setup(['intl', 'us'])
      const user = await registerSandboxUser(t, keys.clientKey)
      for (const [method, url] of [
        ['POST', '/v1/card/order'],
        ['GET', '/v1/card/status'],
        ['POST', '/v1/card/freeze'],
        ['POST', '/v1/card/unfreeze'],
      ] as const) {
        const anonymous = await t.app.inject({ method, url, headers: { 'x-client-key': keys.clientKey } })
        expect([anonymous.statusCode, anonymous.json().message]).toEqual([401, 'Not authenticated'])
        const otherRegion = await t.app.inject({
          method,
          url,
          headers: {
            'x-client-key': keys.clientKey,
            'x-us-env': 'true',
            authorization: `Bearer ${user.token}`,
          },
        })
        expect(otherRegion.statusCode).toBe(401)
      }
    })
  })

  describe('403', () => {
    it("refuses another client's user token", async () => {
      const keys = await setup()
      const user = await registerSandboxUser(t, keys.clientKey)
      const other = await setup()
      expect((await card(other.clientKey, user).status()).statusCode).toBe(403)
    })
  })

  describe('404', () => {
    it('answers 404 for the status, freeze and unfreeze of a user without a card', async () => {
      const keys = await setup()
      const user = await registerSandboxUser(t, keys.clientKey)
      const cards = card(keys.clientKey, user)
      const status = await cards.status()
      expect([status.statusCode, status.json()]).toEqual([
        404,
        { message: 'User has no card', errorCode: 'CARD_NOT_FOUND' },
      ])
      expect((await cards.post('/v1/card/freeze', '')).statusCode).toBe(404)
      expect((await cards.post('/v1/card/unfreeze', '{}')).statusCode).toBe(404)
    })
  })

  describe('422', () => {
    it('refuses card types other than VIRTUAL, and a missing type', async () => {
      const keys = await setup()
      const user = await registerSandboxUser(t, keys.clientKey)
      for (const type of ['PHYSICAL', 'METAL', 'virtual']) {
        const response = await card(keys.clientKey, user).order(type)
        expect([response.statusCode, response.json().errors]).toEqual([
          422,
          [{ field: 'type', message: 'must be one of "VIRTUAL"' }],
        ])
      }
      const missing = await card(keys.clientKey, user).post('/v1/card/order', '{}')
      expect(missing.statusCode).toBe(422)
    })
  })
})
