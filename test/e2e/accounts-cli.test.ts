import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningServer, runCli, startServer } from '../helpers/cli.ts'
import { createTestDatabaseTargets, type TestDatabaseTargets } from '../helpers/dialects.ts'

describe('operating on users from the CLI while the server runs', () => {
  let storage: TestDatabaseTargets
  let server: RunningServer
  let env: Record<string, string>
  let clientKey = ''

  beforeAll(async () => {
    storage = await createTestDatabaseTargets('sqlite')
    env = { DATA_DIR: storage.dataDir }
    const created = JSON.parse(
      (await runCli(['client', 'create', '--name', 'shop', '--sandbox', '--json'], env)).stdout,
    )
    clientKey = created.clientKey
    server = await startServer({ ...env, DEMO_CLIENT: 'false', JOB_POLL_INTERVAL_MS: '50' })
  })
  afterAll(async () => {
    await server.stop()
    await storage.cleanup()
  })

  // biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field below
  const post = async (path: string, body: object): Promise<{ status: number; body: any }> => {
    const response = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'x-client-key': clientKey, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    return { status: response.status, body: await response.json() }
  }

  it('shows development mail in `verity outbox`, and suspends and unsuspends a user', async () => {
    const email = 'cli-user@example.com'
    const { body: sent } = await post('/v1/auth/register/email/send', { email })
    let outbox: { recipient: string; body: string }[] = []
    for (let i = 0; i < 50 && !outbox.some((message) => message.recipient === email); i++) {
      outbox = JSON.parse((await runCli(['outbox', '--json'], env)).stdout)
    }
    const code = /verification code is (\d{6})/.exec(
      outbox.find((message) => message.recipient === email)?.body ?? '',
    )?.[1]
    expect(code).toMatch(/^\d{6}$/)

    const { body: verified } = await post('/v1/auth/register/email/verify', {
      email,
      password: 'correct horse battery',
      verificationCode: code,
      contactVerificationId: sent.contactVerificationId,
      countryOfResidence: 'GB',
      allowMarketing: false,
      allowSms: false,
    })
    const userId = verified.user.id as string

    const shown = JSON.parse((await runCli(['user', 'show', userId], env)).stdout)
    expect(shown).toMatchObject({
      id: userId,
      email,
      region: 'intl',
      status: 'active',
      phase: 'PHONE_NUMBER',
    })

    expect(JSON.parse((await runCli(['user', 'suspend', userId], env)).stdout).status).toBe('suspended')
    const refused = await post('/v1/auth/login', { email, password: 'correct horse battery' })
    expect(refused.status).toBe(403)
    expect(refused.body.message).toContain('Your account has been disabled')

    expect(JSON.parse((await runCli(['user', 'unsuspend', userId], env)).stdout).status).toBe('active')
    expect((await post('/v1/auth/login', { email, password: 'correct horse battery' })).status).toBe(200)

    const missing = await runCli(['user', 'show', '00000000-0000-4000-8000-000000000000'], env)
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('No user 00000000-0000-4000-8000-000000000000')
  })
})
