import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { api, createSandboxAccount } from '../helpers/accounts.ts'
import { buildTestApp, type TestApp } from '../helpers/app.ts'
import { registerSandboxUser } from '../helpers/capture.ts'
import { DIALECTS } from '../helpers/dialects.ts'

const GLOBAL_TYPES = ['termsAndPrivacy', 'marketingNotifications', 'smsNotifications', 'emailNotifications']
const US_TYPES = ['eSignAct', ...GLOBAL_TYPES]

const answers = (types: string[], denied: string[] = []) =>
  types.map((consentType) => ({
    consentType,
    consentStatus: denied.includes(consentType) ? 'denied' : 'granted',
    metadata: { source: 'signup' },
  }))

/** The consent API as a client's backend calls it (x-client-key, x-secret-key), in one region. */
const consentApi = (
  app: FastifyInstance,
  clientKey: string,
  secretKey: string | undefined,
  region: 'intl' | 'us' = 'intl',
) => {
  const headers = (extra: Record<string, string>) => ({
    'x-client-key': clientKey,
    ...(secretKey === undefined ? {} : { 'x-secret-key': secretKey }),
    ...(region === 'us' ? { 'x-us-env': 'true' } : {}),
    'user-agent': 'consent-test/1.0',
    ...extra,
  })
  return {
    request: (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object, extra = {}) =>
      app.inject({ method, url, headers: headers(extra), ...(payload ? { payload } : {}) }),
  }
}

describe.each(DIALECTS)('consent management API v2 (%s)', (dialect) => {
  let t: TestApp
  let sequence = 0
  beforeAll(async () => {
    t = await buildTestApp(dialect)
  })
  afterAll(() => t.close())

  const setup = async (regions: Array<'intl' | 'us'> = ['intl']) => {
    const { client, secretKey } = await t.createClient({ regions })
    return { client, secretKey, v2: consentApi(t.app, client.clientKey, secretKey) }
  }
  const account = async (clientKey: string, region: 'intl' | 'us' = 'intl') => {
    sequence += 1
    const created = await createSandboxAccount(
      api(t.app, clientKey, region),
      `consent${sequence}-${dialect}@example.com`,
      region === 'us' ? 'US' : 'GB',
    )
    return { onboardingId: created.onboardingId, userId: created.user.id as string }
  }
  const createSet = async (
    v2: ReturnType<typeof consentApi>,
    clientKey: string,
    onboardingId: string,
    body: Record<string, unknown> = {},
  ) =>
    v2.request('POST', '/v2/consent/onboarding', {
      onboardingId,
      tenantId: clientKey,
      policyType: 'global',
      consents: answers(GLOBAL_TYPES, ['marketingNotifications']),
      metadata: { ipAddress: '203.0.113.7' },
      ...body,
    })

  describe('201', () => {
    it('records a global consent set with the server-observed metadata', async () => {
      const { client, v2 } = await setup()
      const { onboardingId } = await account(client.clientKey)
      const response = await createSet(v2, client.clientKey, onboardingId)
      expect(response.statusCode).toBe(201)
      const body = response.json()
      const now = new Date(t.clock.now()).toISOString()
      expect(body).toEqual({
        consentSetId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        userId: null,
        onboardingId,
        tenantId: client.id,
        policyType: 'global',
        consentStatus: 'complete',
        completedAt: null,
        createdAt: now,
        updatedAt: now,
        consents: GLOBAL_TYPES.map((consentType) => ({
          consentId: expect.stringMatching(/^[0-9a-f-]{36}$/),
          consentType,
          consentStatus: consentType === 'marketingNotifications' ? 'denied' : 'granted',
          // The client relayed its user's address; the user agent, time and client are the server's.
          metadata: {
            source: 'signup',
            ipAddress: '203.0.113.7',
            userAgent: 'consent-test/1.0',
            timestamp: now,
            clientId: client.id,
          },
          createdAt: now,
          updatedAt: now,
        })),
        _links: {
          self: { href: `/v2/consent/onboarding/${onboardingId}`, method: 'GET' },
          link: { href: `/v2/consent/onboarding/${body.consentSetId}`, method: 'PATCH' },
        },
      })
    })

    it('records a US set (all five types) in the us region; tenantId may be the client id', async () => {
      const { client, secretKey } = await setup(['intl', 'us'])
      const v2 = consentApi(t.app, client.clientKey, secretKey, 'us')
      const { onboardingId } = await account(client.clientKey, 'us')
      const response = await createSet(v2, client.clientKey, onboardingId, {
        tenantId: client.id,
        policyType: 'US',
        consents: answers(US_TYPES),
      })
      expect(response.statusCode).toBe(201)
      expect(response.json().consents.map((consent: { consentType: string }) => consent.consentType)).toEqual(
        US_TYPES,
      )
      expect(response.json()._links.self.href).toBe(`/v2/consent/onboarding/${onboardingId}?region=us`)
    })
  })

  describe('200', () => {
    it('create → read → link → read the user → revoke → incomplete → audit', async () => {
      const { client, v2 } = await setup()
      const { onboardingId, userId } = await account(client.clientKey)
      const created = (await createSet(v2, client.clientKey, onboardingId)).json()

      const read = await v2.request('GET', `/v2/consent/onboarding/${onboardingId}`)
      expect(read.statusCode).toBe(200)
      expect(read.json()).toEqual({
        onboardingId,
        consentSets: [{ ...created, _links: undefined }].map(({ _links, ...set }) => set),
        _links: { self: { href: `/v2/consent/onboarding/${onboardingId}`, method: 'GET' } },
      })

      t.clock.advance(1000)
      const linked = await v2.request('PATCH', `/v2/consent/onboarding/${created.consentSetId}`, { userId })
      expect(linked.statusCode).toBe(200)
      const linkedAt = new Date(t.clock.now()).toISOString()
      expect(linked.json()).toEqual({
        consentSetId: created.consentSetId,
        userId,
        useId: userId,
        completedAt: linkedAt,
        consentSet: expect.objectContaining({ userId, completedAt: linkedAt, updatedAt: linkedAt }),
      })
      // Linking again to the same user answers the same link.
      t.clock.advance(1000)
      const again = await v2.request('PATCH', `/v2/consent/onboarding/${created.consentSetId}`, { userId })
      expect([again.statusCode, again.json().completedAt]).toEqual([200, linkedAt])

      const user = await v2.request('GET', `/v2/consent/user/${userId}`)
      expect(user.statusCode).toBe(200)
      expect(user.json()).toEqual({
        userId,
        consentStatus: 'complete',
        _links: {
          self: { href: `/v2/consent/user/${userId}`, method: 'GET' },
          full: { href: `/v2/consent/user/${userId}?full=true`, method: 'GET' },
          audit: { href: `/v2/consent/user/${userId}/audit`, method: 'GET' },
        },
      })
      const full = (await v2.request('GET', `/v2/consent/user/${userId}?full=true`)).json()
      expect(full.consentSets).toHaveLength(1)
      expect(full.consentSets[0].consentSetId).toBe(created.consentSetId)

      t.clock.advance(1000)
      const terms = created.consents.find(
        (consent: { consentType: string }) => consent.consentType === 'termsAndPrivacy',
      )
      const revoked = await v2.request(
        'DELETE',
        `/v2/consent/consentSet/${created.consentSetId}/consent/${terms.consentId}`,
      )
      expect(revoked.statusCode).toBe(200)
      const revokedAt = new Date(t.clock.now()).toISOString()
      expect(revoked.json()).toEqual({
        consentId: expect.not.stringMatching(terms.consentId),
        consentSetId: created.consentSetId,
        consentType: 'termsAndPrivacy',
        consentStatus: 'revoked',
        revocationTimestamp: revokedAt,
        _links: {
          consentSet: { href: `/v2/consent/onboarding/${onboardingId}`, method: 'GET' },
          audit: { href: `/v2/consent/user/${userId}/audit`, method: 'GET' },
        },
      })
      expect((await v2.request('GET', `/v2/consent/user/${userId}`)).json().consentStatus).toBe('incomplete')
      const afterRevocation = (await v2.request('GET', `/v2/consent/onboarding/${onboardingId}`)).json()
      const currentTerms = afterRevocation.consentSets[0].consents.find(
        (consent: { consentType: string }) => consent.consentType === 'termsAndPrivacy',
      )
      expect(currentTerms).toEqual(
        expect.objectContaining({ consentId: revoked.json().consentId, consentStatus: 'revoked' }),
      )

      const audit = await v2.request('GET', `/v2/consent/user/${userId}/audit`)
      expect(audit.statusCode).toBe(200)
      const records = audit.json().auditRecords as Array<Record<string, unknown>>
      expect(audit.json().userId).toBe(userId)
      expect(records.map((record) => record.action)).toEqual([
        'created',
        'created',
        'created',
        'created',
        'linked',
        'revoked',
      ])
      expect(records[0]).toEqual({
        auditId: expect.any(String),
        action: 'created',
        timestamp: created.createdAt,
        consentSetId: created.consentSetId,
        consentId: created.consents[0].consentId,
        changes: { before: null, after: { consentType: 'termsAndPrivacy', consentStatus: 'granted' } },
        metadata: expect.objectContaining({ ipAddress: '203.0.113.7', clientId: client.id }),
      })
      expect(records[4]?.changes).toEqual({ before: { userId: null }, after: { userId } })
      expect(records[5]).toEqual(
        expect.objectContaining({
          consentId: revoked.json().consentId,
          timestamp: revokedAt,
          changes: {
            before: { consentType: 'termsAndPrivacy', consentStatus: 'granted' },
            after: { consentType: 'termsAndPrivacy', consentStatus: 'revoked' },
          },
        }),
      )
      const page = (await v2.request('GET', `/v2/consent/user/${userId}/audit?limit=2&offset=4`)).json()
      expect(page.auditRecords.map((record: { action: string }) => record.action)).toEqual([
        'linked',
        'revoked',
      ])
    })

    it("a user's bearer token reads that user's consent without the secret key", async () => {
      const { client, secretKey, v2 } = await setup()
      const user = await registerSandboxUser(t, client.clientKey)
      const created = (await createSet(v2, client.clientKey, user.onboardingId)).json()
      await v2.request('PATCH', `/v2/consent/onboarding/${created.consentSetId}`, { userId: user.id })
      const app = consentApi(t.app, client.clientKey, undefined)
      const bearer = { authorization: `Bearer ${user.token}` }
      const status = await app.request('GET', `/v2/consent/user/${user.id}`, undefined, bearer)
      expect([status.statusCode, status.json().consentStatus]).toEqual([200, 'complete'])
      const audit = await app.request('GET', `/v2/consent/user/${user.id}/audit`, undefined, bearer)
      expect(audit.statusCode).toBe(200)
      // The bearer token reads its own user only: another user's consent does not exist for it.
      const other = await account(client.clientKey)
      const otherSet = (await createSet(v2, client.clientKey, other.onboardingId)).json()
      await consentApi(t.app, client.clientKey, secretKey).request(
        'PATCH',
        `/v2/consent/onboarding/${otherSet.consentSetId}`,
        { userId: other.userId },
      )
      const foreign = await app.request('GET', `/v2/consent/user/${other.userId}`, undefined, bearer)
      expect([foreign.statusCode, foreign.json().error]).toEqual([404, 'Not found'])
    })
  })

  describe('400', () => {
    it('names each missing required consent of the policy, in the contract wording', async () => {
      const { client, v2 } = await setup()
      const { onboardingId } = await account(client.clientKey)
      const global = await createSet(v2, client.clientKey, onboardingId, {
        consents: answers(['marketingNotifications', 'smsNotifications', 'emailNotifications']),
      })
      expect([global.statusCode, global.json()]).toEqual([
        400,
        {
          error: 'Validation error',
          details: ['Missing required consent: termsAndPrivacy for policy type: global'],
          errorCode: 'CONSENT_VALIDATION',
        },
      ])
      const us = await createSet(v2, client.clientKey, onboardingId, {
        policyType: 'US',
        consents: answers(GLOBAL_TYPES),
      })
      expect(us.json().details).toEqual(['Missing required consent: eSignAct for policy type: US'])
    })

    it('refuses an unknown consent type, a repeated one and a tenantId of another client', async () => {
      const { client, v2 } = await setup()
      const { onboardingId } = await account(client.clientKey)
      const response = await createSet(v2, client.clientKey, onboardingId, {
        tenantId: 'tenant_someone_else',
        consents: [
          ...answers(GLOBAL_TYPES),
          { consentType: 'pushNotifications', consentStatus: 'granted' },
          { consentType: 'smsNotifications', consentStatus: 'denied' },
        ],
      })
      expect(response.statusCode).toBe(400)
      expect(response.json().details).toEqual([
        "Invalid consentType: 'pushNotifications'. Must be one of: eSignAct, termsAndPrivacy, marketingNotifications, smsNotifications, emailNotifications",
        "Duplicate consentType: 'smsNotifications'. Give each consent type once",
        "Invalid tenantId: 'tenant_someone_else' is not the tenant of this x-client-key",
      ])
      expect((await v2.request('GET', `/v2/consent/onboarding/${onboardingId}`)).statusCode).toBe(404)
    })

    it('answers an audit offset too large for the databases as a validation error', async () => {
      const { client, v2 } = await setup()
      const { onboardingId, userId } = await account(client.clientKey)
      const created = (await createSet(v2, client.clientKey, onboardingId)).json()
      await v2.request('PATCH', `/v2/consent/onboarding/${created.consentSetId}`, { userId })
      for (const offset of ['99999999999999999999', '9223372036854775808', '1e300', '2147483648']) {
        const response = await v2.request('GET', `/v2/consent/user/${userId}/audit?offset=${offset}`)
        expect([response.statusCode, response.json().error]).toEqual([400, 'Validation error'])
      }
      const last = await v2.request('GET', `/v2/consent/user/${userId}/audit?offset=2147483647`)
      expect([last.statusCode, last.json().auditRecords]).toEqual([200, []])
    })

    it('answers schema failures and malformed JSON in the v2 shape', async () => {
      const { client, secretKey, v2 } = await setup()
      const missing = await v2.request('POST', '/v2/consent/onboarding', {
        tenantId: client.clientKey,
        policyType: 'everywhere',
        consents: [],
      })
      expect(missing.statusCode).toBe(400)
      expect(missing.json()).toEqual({
        error: 'Validation error',
        details: expect.arrayContaining([expect.stringContaining('onboardingId')]),
        errorCode: 'CONSENT_VALIDATION',
      })
      const malformed = await t.app.inject({
        method: 'POST',
        url: '/v2/consent/onboarding',
        headers: {
          'x-client-key': client.clientKey,
          'x-secret-key': secretKey,
          'content-type': 'application/json',
        },
        payload: '{"onboardingId":',
      })
      expect([malformed.statusCode, malformed.json().error]).toEqual([400, 'Malformed JSON body'])
    })
  })

  describe('public clients', () => {
    it("accept the client key as x-secret-key on the writes (MetaMask), never on a user's consent", async () => {
      const { client } = await t.createClient({ regions: ['intl'], publicOAuth: true })
      const app = consentApi(t.app, client.clientKey, client.clientKey)
      const { onboardingId, userId } = await account(client.clientKey)
      const created = await createSet(app, client.clientKey, onboardingId)
      expect(created.statusCode).toBe(201)
      const { consentSetId, consents } = created.json()
      const linked = await app.request('PATCH', `/v2/consent/onboarding/${consentSetId}`, { userId })
      expect([linked.statusCode, linked.json().useId]).toEqual([200, userId])
      const revoked = await app.request(
        'DELETE',
        `/v2/consent/consentSet/${consentSetId}/consent/${consents[1].consentId}`,
      )
      expect(revoked.statusCode).toBe(200)
      // The key is public: reading a user's consent or audit still needs that user's bearer token.
      for (const path of [`/v2/consent/user/${userId}`, `/v2/consent/user/${userId}/audit`]) {
        const read = await app.request('GET', path)
        expect([read.statusCode, read.json().error]).toEqual([401, 'Not authenticated'])
      }
      // Another client's key is no secret of this one.
      const other = await t.createClient({ regions: ['intl'], publicOAuth: true })
      const foreign = await consentApi(t.app, client.clientKey, other.client.clientKey).request(
        'PATCH',
        `/v2/consent/onboarding/${consentSetId}`,
        { userId },
      )
      expect(foreign.statusCode).toBe(401)
    })
  })

  describe('401', () => {
    it('refuses writes without the secret key, with a wrong one, and with the client key in its place', async () => {
      const { client, v2 } = await setup()
      const { onboardingId } = await account(client.clientKey)
      const body = {
        onboardingId,
        tenantId: client.clientKey,
        policyType: 'global',
        consents: answers(GLOBAL_TYPES),
      }
      for (const secret of [undefined, 'vsk_test_wrong', client.clientKey]) {
        const response = await consentApi(t.app, client.clientKey, secret).request(
          'POST',
          '/v2/consent/onboarding',
          body,
        )
        expect([response.statusCode, response.json().error]).toEqual([401, 'Not authenticated'])
      }
      const created = (await createSet(v2, client.clientKey, onboardingId)).json()
      const noSecret = consentApi(t.app, client.clientKey, undefined)
      expect(
        (await noSecret.request('PATCH', `/v2/consent/onboarding/${created.consentSetId}`, { userId: 'x' }))
          .statusCode,
      ).toBe(401)
      expect(
        (
          await noSecret.request(
            'DELETE',
            `/v2/consent/consentSet/${created.consentSetId}/consent/${created.consents[0].consentId}`,
          )
        ).statusCode,
      ).toBe(401)
    })

    it("refuses a user's consent without the secret key or a valid bearer token", async () => {
      const { client } = await setup()
      const noSecret = consentApi(t.app, client.clientKey, undefined)
      const userId = '00000000-0000-4000-8000-000000000000'
      expect((await noSecret.request('GET', `/v2/consent/user/${userId}`)).statusCode).toBe(401)
      const badToken = await noSecret.request('GET', `/v2/consent/user/${userId}/audit`, undefined, {
        authorization: 'Bearer not-a-token',
      })
      expect([badToken.statusCode, badToken.json().error]).toEqual([401, 'Not authenticated'])
    })
  })

  describe('404', () => {
    it('answers the contract body for an onboarding id without consent', async () => {
      const { client, v2 } = await setup()
      const response = await v2.request('GET', '/v2/consent/onboarding/00000000-0000-4000-8000-000000000000')
      expect([response.statusCode, response.json()]).toEqual([
        404,
        {
          error: 'Not found',
          details: ["No consent sets found for onboardingId '00000000-0000-4000-8000-000000000000'"],
          errorCode: 'CONSENT_NOT_FOUND',
        },
      ])
      const unknown = await createSet(v2, client.clientKey, '00000000-0000-4000-8000-000000000000')
      expect([unknown.statusCode, unknown.json().details]).toEqual([
        404,
        ["No onboarding found for onboardingId '00000000-0000-4000-8000-000000000000'"],
      ])
    })

    it('an expired onboarding id reads no consent (the same 404 as an unknown one)', async () => {
      const { client, v2 } = await setup()
      const { onboardingId, userId } = await account(client.clientKey)
      const created = (await createSet(v2, client.clientKey, onboardingId)).json()
      await v2.request('PATCH', `/v2/consent/onboarding/${created.consentSetId}`, { userId })
      t.clock.advance(40 * 24 * 60 * 60 * 1000)
      const read = await v2.request('GET', `/v2/consent/onboarding/${onboardingId}`)
      expect([read.statusCode, read.json()]).toEqual([
        404,
        {
          error: 'Not found',
          details: [`No consent sets found for onboardingId '${onboardingId}'`],
          errorCode: 'CONSENT_NOT_FOUND',
        },
      ])
      // A confidential client's secret still reaches the user's consent and revokes it.
      expect((await v2.request('GET', `/v2/consent/user/${userId}`)).statusCode).toBe(200)
      const revoked = await v2.request(
        'DELETE',
        `/v2/consent/consentSet/${created.consentSetId}/consent/${created.consents[1].consentId}`,
      )
      expect(revoked.statusCode).toBe(200)
    })

    it("a public client's key links and revokes only while the set's onboarding id is valid; its secret always", async () => {
      const { client, secretKey } = await t.createClient({ regions: ['intl'], publicOAuth: true })
      const app = consentApi(t.app, client.clientKey, client.clientKey)
      const first = await account(client.clientKey)
      const second = await account(client.clientKey)
      const linkedSet = (await createSet(app, client.clientKey, first.onboardingId)).json()
      expect(
        (
          await app.request('PATCH', `/v2/consent/onboarding/${linkedSet.consentSetId}`, {
            userId: first.userId,
          })
        ).statusCode,
      ).toBe(200)
      const unlinkedSet = (await createSet(app, client.clientKey, second.onboardingId)).json()
      t.clock.advance(40 * 24 * 60 * 60 * 1000)

      const revokePath = `/v2/consent/consentSet/${linkedSet.consentSetId}/consent/${linkedSet.consents[1].consentId}`
      const attempts = [
        await app.request('GET', `/v2/consent/onboarding/${first.onboardingId}`),
        await app.request('DELETE', revokePath),
        await app.request('PATCH', `/v2/consent/onboarding/${unlinkedSet.consentSetId}`, {
          userId: second.userId,
        }),
      ]
      expect(attempts.map((attempt) => [attempt.statusCode, attempt.json().details])).toEqual([
        [404, [`No consent sets found for onboardingId '${first.onboardingId}'`]],
        [404, [`No consent set found for consentSetId '${linkedSet.consentSetId}'`]],
        [404, [`No consent set found for consentSetId '${unlinkedSet.consentSetId}'`]],
      ])
      const withSecret = consentApi(t.app, client.clientKey, secretKey)
      expect((await withSecret.request('DELETE', revokePath)).statusCode).toBe(200)
    })

    it("another client's consent set does not exist: read, link, revoke, user and audit", async () => {
      const owner = await setup()
      const { onboardingId, userId } = await account(owner.client.clientKey)
      const created = (await createSet(owner.v2, owner.client.clientKey, onboardingId)).json()
      await owner.v2.request('PATCH', `/v2/consent/onboarding/${created.consentSetId}`, { userId })
      const other = await setup()
      const attempts = [
        await other.v2.request('GET', `/v2/consent/onboarding/${onboardingId}`),
        await other.v2.request('PATCH', `/v2/consent/onboarding/${created.consentSetId}`, { userId }),
        await other.v2.request(
          'DELETE',
          `/v2/consent/consentSet/${created.consentSetId}/consent/${created.consents[0].consentId}`,
        ),
        await other.v2.request('GET', `/v2/consent/user/${userId}`),
        await other.v2.request('GET', `/v2/consent/user/${userId}/audit`),
        // Nor can it record consent for the owner's onboarding.
        await createSet(other.v2, other.client.clientKey, onboardingId),
      ]
      for (const attempt of attempts)
        expect([attempt.statusCode, attempt.json().error]).toEqual([404, 'Not found'])
      expect((await owner.v2.request('GET', `/v2/consent/user/${userId}`)).json().consentStatus).toBe(
        'complete',
      )
    })

    it('a consent set of the us region does not exist in intl (and the reverse)', async () => {
      const { client, secretKey } = await setup(['intl', 'us'])
      const us = consentApi(t.app, client.clientKey, secretKey, 'us')
      const intl = consentApi(t.app, client.clientKey, secretKey)
      const { onboardingId, userId } = await account(client.clientKey, 'us')
      const created = (
        await createSet(us, client.clientKey, onboardingId, { policyType: 'US', consents: answers(US_TYPES) })
      ).json()
      expect(
        (await us.request('PATCH', `/v2/consent/onboarding/${created.consentSetId}`, { userId })).statusCode,
      ).toBe(200)
      for (const attempt of [
        await intl.request('GET', `/v2/consent/onboarding/${onboardingId}`),
        await intl.request('GET', `/v2/consent/user/${userId}`),
        await intl.request(
          'DELETE',
          `/v2/consent/consentSet/${created.consentSetId}/consent/${created.consents[0].consentId}`,
        ),
        await createSet(intl, client.clientKey, onboardingId),
      ])
        expect(attempt.statusCode).toBe(404)
      expect((await us.request('GET', `/v2/consent/user/${userId}`)).statusCode).toBe(200)
    })

    it('links only the onboarding user, and revokes a consent once', async () => {
      const { client, v2 } = await setup()
      const { onboardingId } = await account(client.clientKey)
      const someoneElse = await account(client.clientKey)
      const created = (await createSet(v2, client.clientKey, onboardingId)).json()
      const wrongUser = await v2.request('PATCH', `/v2/consent/onboarding/${created.consentSetId}`, {
        userId: someoneElse.userId,
      })
      expect([wrongUser.statusCode, wrongUser.json().error]).toEqual([404, 'Not found'])
      const path = `/v2/consent/consentSet/${created.consentSetId}/consent/${created.consents[1].consentId}`
      expect((await v2.request('DELETE', path)).statusCode).toBe(200)
      const twice = await v2.request('DELETE', path)
      expect([twice.statusCode, twice.json().details]).toEqual([
        404,
        [
          `No active consent '${created.consents[1].consentId}' found in consent set '${created.consentSetId}'`,
        ],
      ])
      // Nor can the revoked record itself be revoked.
      const current = (await v2.request('GET', `/v2/consent/onboarding/${onboardingId}`)).json()
        .consentSets[0]
      const revokedRecord = current.consents.find(
        (consent: { consentStatus: string }) => consent.consentStatus === 'revoked',
      )
      expect(
        (
          await v2.request(
            'DELETE',
            `/v2/consent/consentSet/${created.consentSetId}/consent/${revokedRecord.consentId}`,
          )
        ).statusCode,
      ).toBe(404)
      // A user with no linked set has no consent to read.
      expect((await v2.request('GET', `/v2/consent/user/${someoneElse.userId}`)).statusCode).toBe(404)
    })
  })

  describe('concurrency', () => {
    it('two revocations of one consent at once: one 200, one 404; two links at once: one link', async () => {
      const { client, v2 } = await setup()
      const { onboardingId, userId } = await account(client.clientKey)
      const created = (await createSet(v2, client.clientKey, onboardingId)).json()
      const path = `/v2/consent/consentSet/${created.consentSetId}/consent/${created.consents[0].consentId}`
      const revocations = await Promise.all([v2.request('DELETE', path), v2.request('DELETE', path)])
      expect(revocations.map((response) => response.statusCode).sort()).toEqual([200, 404])
      // Audit records of one set written in the same millisecond have no order between them.
      t.clock.advance(1)
      const linkPath = `/v2/consent/onboarding/${created.consentSetId}`
      const links = await Promise.all([
        v2.request('PATCH', linkPath, { userId }),
        v2.request('PATCH', linkPath, { userId }),
      ])
      expect(links.map((response) => response.statusCode)).toEqual([200, 200])
      expect(links[0]?.json().completedAt).toBe(links[1]?.json().completedAt)
      const audit = (await v2.request('GET', `/v2/consent/user/${userId}/audit`)).json().auditRecords
      expect(
        audit
          .filter((record: { action: string }) => record.action !== 'created')
          .map((record: { action: string }) => record.action),
      ).toEqual(['revoked', 'linked'])
    })
  })

  describe('498 and 499', () => {
    it('answers the contract bodies for a missing and an unknown client key', async () => {
      const missing = await t.app.inject({ method: 'GET', url: '/v2/consent/onboarding/x' })
      expect([missing.statusCode, missing.json()]).toEqual([
        499,
        {
          error: 'Missing client key',
          details: ['x-client-key header is required for all requests'],
          errorCode: 'MISSING_CLIENT_KEY',
        },
      ])
      const unknown = await t.app.inject({
        method: 'GET',
        url: '/v2/consent/onboarding/x',
        headers: { 'x-client-key': 'no-such-key' },
      })
      expect([unknown.statusCode, unknown.json()]).toEqual([
        498,
        {
          error: 'Invalid client key',
          details: ['The provided x-client-key is invalid or expired'],
          errorCode: 'INVALID_CLIENT_KEY',
        },
      ])
    })
  })

  describe('append-only', () => {
    it('the database refuses to change or delete any consent row', async () => {
      const { client, v2 } = await setup()
      const { onboardingId, userId } = await account(client.clientKey)
      const created = (await createSet(v2, client.clientKey, onboardingId)).json()
      await v2.request('PATCH', `/v2/consent/onboarding/${created.consentSetId}`, { userId })
      const db = t.runtime.databases.home.db
      await expect(
        db
          .updateTable('consent_record')
          .set({ status: 'granted' })
          .where('consent_set_id', '=', created.consentSetId)
          .execute(),
      ).rejects.toThrow(/append-only/)
      await expect(
        db.deleteFrom('consent_audit').where('consent_set_id', '=', created.consentSetId).execute(),
      ).rejects.toThrow(/append-only/)
      await expect(db.updateTable('consent_set').set({ policy_type: 'US' }).execute()).rejects.toThrow(
        /append-only/,
      )
      await expect(db.deleteFrom('consent_link').execute()).rejects.toThrow(/append-only/)
    })
  })
})
