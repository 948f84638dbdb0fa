import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ClaimedJob } from '../../src/jobs/definitions.ts'
import { createLogger } from '../../src/lib/logger.ts'
import { checkResultsFor, checkSubmissionJob } from '../../src/modules/checks/index.ts'
import { decideCase } from '../../src/modules/review/index.ts'
import { submitSession } from '../../src/modules/verification/index.ts'
import { api } from '../helpers/accounts.ts'
import { buildTestApp, TEST_ACTOR, type TestApp } from '../helpers/app.ts'
import { registerSandboxUser, type TestUser } from '../helpers/capture.ts'
import { runCli } from '../helpers/cli.ts'
import { DIALECTS } from '../helpers/dialects.ts'
import { openLink } from '../helpers/sessions.ts'

/** What the MRZ of a passport says (the analyzers read it; here it is given). */
const passport = (documentNumber: string, issuingCountry = 'DEU') => ({
  source: 'mrz' as const,
  format: 'TD3' as const,
  documentCode: 'P',
  documentNumber,
  issuingCountry,
  nationality: issuingCountry,
  surname: 'DOE',
  givenNames: 'JANE',
  dateOfBirth: '1990-01-01',
  expiryDate: '2031-01-01',
  sex: 'female' as const,
  checkDigits: [],
})
type Passport = ReturnType<typeof passport>

/**
 * The identity checks through the check job (issue #12: duplicate identity, validity, SSN): keyed
 * fingerprints stored in the decision's transaction, matched against other users of the same client
 * only. The submissions take the live path (the job runs with sandbox: false) with the document data
 * the analysis would have read.
 */
describe.each(DIALECTS)('identity checks of the check job (%s)', (dialect) => {
  let t: TestApp
  let first: string
  let second: string
  let secondId: string

  beforeAll(async () => {
    t = await buildTestApp(dialect)
    const regions = ['intl', 'us']
    first = (await t.createClient({ name: 'first', regions })).client.clientKey
    const created = (await t.createClient({ name: 'second', regions })).client
    second = created.clientKey
    secondId = created.id
  })
  afterAll(() => t.close())

  const submitted = async (clientKey: string, region: 'intl' | 'us' = 'intl') => {
    const user = await registerSandboxUser(t, clientKey, { firstName: 'Jane', lastName: 'Doe', region })
    const started = await api(t.app, clientKey, region).get('/v1/user/verification', {
      authorization: `Bearer ${user.token}`,
    })
    const { sessionUrl, sessionId } = started.json() as { sessionUrl: string; sessionId: string }
    expect((await openLink(t.app, sessionUrl)).statusCode).toBe(303)
    await submitSession(t.runtime, user.database, sessionId, false)
    return { user, sessionId }
  }

  const check = async (
    { user, sessionId }: { user: TestUser; sessionId: string },
    documentData: Passport,
  ) => {
    const job = checkSubmissionJob(t.runtime.databases, {
      ...t.runtime,
      // The analysis stage's output is given: these tests are about the checks that read document data.
      analysis: { ready: async () => {}, analyze: async () => ({ documentData }), close: async () => {} },
    })
    await job.handle(
      { sessionId, sandbox: false },
      {
        job: {} as ClaimedJob,
        database: user.database,
        clock: t.clock,
        log: createLogger('silent'),
        signal: new AbortController().signal,
        completeWith: async () => {},
        completeTogether: async () => {},
      },
    )
    const results = await checkResultsFor(t.runtime.keys, user.database, sessionId)
    return Object.fromEntries(results.map((result) => [result.check, result]))
  }

  const fingerprintsOf = (user: TestUser, sessionId: string) =>
    user.database.db
      .selectFrom('identity_fingerprint')
      .selectAll()
      .where('session_id', '=', sessionId)
      .orderBy('kind')
      .execute()
  const outcomeOf = async (user: TestUser, sessionId: string) =>
    (
      await user.database.db
        .selectFrom('verification_session')
        .select('outcome')
        .where('id', '=', sessionId)
        .executeTakeFirstOrThrow()
    ).outcome
  const approve = (sessionId: string) =>
    decideCase(t.runtime, sessionId, { action: 'approve', reviewer: 'alice@example.com' }, TEST_ACTOR)

  it('stores keyed fingerprints once per session and kind, never the number, and passes a new identity', async () => {
    const owner = await submitted(first)
    const results = await check(owner, passport('C01X00T47'))
    expect(results['duplicate-identity']).toMatchObject({
      outcome: 'pass',
      evidence: { compared: ['document'] },
    })
    expect(results.validity).toMatchObject({ outcome: 'pass' })
    // Not approved: no document or face check vouches for the submission yet (and no type was chosen).
    expect(await outcomeOf(owner.user, owner.sessionId)).toBe('review')
    const rows = await fingerprintsOf(owner.user, owner.sessionId)
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ kind: 'document', user_id: owner.user.id })
    expect(rows[0]?.digest).toMatch(/^[0-9a-f]{64}$/)
    expect(JSON.stringify(rows)).not.toContain('C01X00T47')
    // Checked again (a retried job): the same rows, not more.
    await check(owner, passport('C01X00T47'))
    expect(await fingerprintsOf(owner.user, owner.sessionId)).toEqual(rows)
  })

  it('sends the same document at another user of the client to a person, naming the holder, and nowhere else', async () => {
    const owner = await submitted(first)
    await check(owner, passport('X12345678'))
    await approve(owner.sessionId)

    // D and DEU are one country: the same document however the MRZ spells it.
    const copier = await submitted(first)
    const results = await check(copier, passport('X12345678', 'D'))
    expect(results['duplicate-identity']).toMatchObject({
      outcome: 'inconclusive',
      reason: 'DUPLICATE_IDENTITY',
      evidence: {
        holders: [
          {
            kind: 'document',
            userId: owner.user.id,
            sessionId: owner.sessionId,
            verificationState: 'VERIFIED',
          },
        ],
      },
    })
    expect(await outcomeOf(copier.user, copier.sessionId)).toBe('review')

    const elsewhere = await submitted(second)
    expect(
      (await check(elsewhere, passport('X12345678')))['duplicate-identity'],
      'another client',
    ).toMatchObject({
      outcome: 'pass',
    })
    const other = await submitted(first)
    expect((await check(other, passport('X12345679')))['duplicate-identity'], 'another number').toMatchObject(
      {
        outcome: 'pass',
      },
    )
  })

  it('counts a holder still being decided, and forgets one that was rejected', async () => {
    const pending = await submitted(first)
    await check(pending, passport('P55555555'))
    const next = await submitted(first)
    expect((await check(next, passport('P55555555')))['duplicate-identity']).toMatchObject({
      outcome: 'inconclusive',
      evidence: {
        holders: [{ userId: pending.user.id, verificationState: 'PENDING', sessionOutcome: 'review' }],
      },
    })
    await decideCase(
      t.runtime,
      pending.sessionId,
      {
        action: 'reject',
        reasonCode: 'FACE_MISMATCH',
        reviewer: 'alice@example.com',
      },
      TEST_ACTOR,
    )
    await decideCase(
      t.runtime,
      next.sessionId,
      {
        action: 'reject',
        reasonCode: 'FACE_MISMATCH',
        reviewer: 'alice@example.com',
      },
      TEST_ACTOR,
    )
    const third = await submitted(first)
    expect((await check(third, passport('P55555555')))['duplicate-identity']).toMatchObject({
      outcome: 'pass',
    })
  })

  it('finds the same SSN on another us user of the client, and checks the SSN itself', async () => {
    // Every us test user registers 123-45-6789: a placeholder, which the SSN check leaves to a person.
    const owner = await submitted(first, 'us')
    const results = await check(owner, passport('U11111111', 'USA'))
    expect(results.ssn).toMatchObject({
      outcome: 'inconclusive',
      evidence: { last4: '6789', structure: 'placeholder', asSubmitted: true },
    })
    expect((await fingerprintsOf(owner.user, owner.sessionId)).map((row) => row.kind)).toEqual([
      'document',
      'ssn',
    ])
    await approve(owner.sessionId)

    const sameSsn = await submitted(first, 'us')
    expect((await check(sameSsn, passport('U22222222', 'USA')))['duplicate-identity']).toMatchObject({
      outcome: 'inconclusive',
      reason: 'DUPLICATE_IDENTITY',
      evidence: { compared: ['document', 'ssn'], holders: [{ kind: 'ssn', userId: owner.user.id }] },
    })
    const elsewhere = await submitted(second, 'us')
    expect((await check(elsewhere, passport('U33333333', 'USA')))['duplicate-identity']).toMatchObject({
      outcome: 'pass',
    })
  })

  it('fails the validity check for an expired document and for an under-age user', async () => {
    const expired = await submitted(first)
    const results = await check(expired, { ...passport('E10000001'), expiryDate: '2020-01-01' })
    expect(results.validity).toMatchObject({ outcome: 'fail', reason: 'DOCUMENT_EXPIRED' })
    // No sanctions list is imported in this suite: screening is unavailable (a fault of the set-up, not a
    // verdict), and that sends every case to a person before any retake is asked for (rules.ts).
    expect(await outcomeOf(expired.user, expired.sessionId)).toBe('review')
    const minor = await submitted(first)
    const born = new Date(t.clock.now() - 17 * 365.25 * 86_400_000).toISOString().slice(0, 10)
    expect((await check(minor, { ...passport('E10000002'), dateOfBirth: born })).validity).toMatchObject({
      outcome: 'fail',
      reason: 'UNDERAGE',
    })
  })

  it("judges by the client's own settings, set with verity client policy", async () => {
    // The test users live in GB: a client that restricts GB refuses them, where the region would not.
    const set = await runCli(['client', 'policy', secondId, '--restricted-countries', 'GB', '--json'], {
      DATA_DIR: t.storage.dataDir,
      ...t.storage.env,
    })
    expect(set.code, set.stderr).toBe(0)
    const refused = await submitted(second)
    expect((await check(refused, passport('G10000001', 'GBR')))['document-policy']).toMatchObject({
      outcome: 'fail',
      reason: 'RESTRICTED_COUNTRY',
      evidence: { residence: 'GB', policy: { restrictedCountries: ['CU', 'GB', 'IR', 'KP', 'SY'] } },
    })
    // Only document data is given here, so the face checks cannot conclude: a refusal waits for every
    // other check (rules.ts), and the case goes to a person with the refusal's reason.
    expect(await outcomeOf(refused.user, refused.sessionId)).toBe('review')
    const other = await submitted(first)
    expect((await check(other, passport('G10000002', 'GBR')))['document-policy']?.reason).not.toBe(
      'RESTRICTED_COUNTRY',
    )
  })
})
