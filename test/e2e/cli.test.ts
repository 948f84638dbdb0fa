import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrations } from '../../src/db/migrations/index.ts'
import { runCli, startServer } from '../helpers/cli.ts'
import { eventually } from '../helpers/databases.ts'
import { createTestDatabaseTargets, DIALECTS, type TestDatabaseTargets } from '../helpers/dialects.ts'

describe.each(DIALECTS)('the verity command, as an operator uses it (%s)', (dialect) => {
  let storage: TestDatabaseTargets
  let env: Record<string, string>

  beforeAll(async () => {
    storage = await createTestDatabaseTargets(dialect)
    env = { DATA_DIR: storage.dataDir, LOG_LEVEL: 'info', ...storage.env }
  })
  afterAll(() => storage.cleanup())

  it('creates a client and prints exactly one JSON object with --json', async () => {
    const result = await runCli(
      ['client', 'create', '--name', 'acme', '--sandbox', '--regions', 'intl,us', '--json'],
      env,
    )
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const created = JSON.parse(result.stdout)
    expect(created).toMatchObject({
      name: 'acme',
      mode: 'sandbox',
      regions: ['intl', 'us'],
      status: 'active',
    })
    expect(created.clientId).toMatch(/^cli_/)
    expect(created.clientKey).toMatch(/^[0-9a-f-]{36}$/)
    expect(created.secretKey).toMatch(/^vsk_test_/)

    const listed = JSON.parse((await runCli(['client', 'list', '--json'], env)).stdout)
    expect(listed.find((client: { clientId: string }) => client.clientId === created.clientId)).toMatchObject(
      {
        clientKey: created.clientKey,
        secretHint: `…${created.secretKey.slice(-4)}`,
      },
    )
    expect(JSON.stringify(listed)).not.toContain(created.secretKey)
  })

  it('lists the review queue as JSON and refuses a decision it cannot record', async () => {
    const listed = await runCli(['review', 'list', '--json'], env)
    expect(listed.code, listed.stderr).toBe(0)
    expect(JSON.parse(listed.stdout)).toEqual([])
    const noReviewer = await runCli(['review', 'decide', 'ses_01JNOSUCHSESSION0000000000', 'approve'], env)
    expect(noReviewer.code).toBe(1)
    expect(noReviewer.stderr).toContain("required option '--reviewer <email>'")
    const unknown = await runCli(
      ['review', 'decide', 'ses_01JNOSUCHSESSION0000000000', 'approve', '--reviewer', 'alice@example.com'],
      env,
    )
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain('No verification session ses_01JNOSUCHSESSION0000000000')
    const badAction = await runCli(
      ['review', 'decide', 'ses_x', 'maybe', '--reviewer', 'alice@example.com'],
      env,
    )
    expect(badAction.code).toBe(1)
    expect(badAction.stderr).toContain('Allowed choices are approve, reject, resubmit')
  })

  it('refuses bad input with the field and a non-zero exit', async () => {
    const result = await runCli(
      ['client', 'create', '--name', 'x', '--regions', 'intl,mars', '--redirect-uri', 'http://x.example.com'],
      env,
    )
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('regions: unknown region "mars" (expected intl or us)')
    expect(result.stderr).toContain('redirectUris: "http://x.example.com" must use https')
  })

  it('stops with the variable name on invalid configuration, without a stack trace', async () => {
    const result = await runCli(['migrate'], { ...env, PORT: 'eighty', TRUST_PROXY: 'maybe' })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('Invalid configuration')
    expect(result.stderr).toMatch(/PORT: /)
    expect(result.stderr).toContain('TRUST_PROXY: expected false, a hop count or a comma list')
    expect(result.stderr).not.toMatch(/\n\s+at /)
  })

  it('migrates and reports status', async () => {
    const migrated = await runCli(['migrate'], env)
    expect(migrated.code).toBe(0)
    expect(migrated.stdout).toMatch(/intl \((sqlite|postgres)\): up to date/)
    const status = await runCli(['migrate', '--status'], env)
    expect(status.stdout).toContain(
      `us (${dialect}): ${Object.keys(migrations).length} applied, pending: none`,
    )
  })

  it('serves the API with a CLI-made client, answers 498/499/403 exactly, and stops cleanly on SIGTERM', async () => {
    const intlOnly = JSON.parse(
      (await runCli(['client', 'create', '--name', 'intl-only', '--json'], env)).stdout,
    )
    const server = await startServer(env)
    try {
      const call = (headers: Record<string, string>) => fetch(`${server.url}/v1/client`, { headers })
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200)

      const ok = await call({ 'x-client-key': intlOnly.clientKey })
      expect(ok.status).toBe(200)
      expect(await ok.json()).toMatchObject({ id: intlOnly.clientId, mode: 'live', region: 'intl' })

      const missing = await call({})
      expect([missing.status, await missing.json()]).toEqual([
        499,
        { message: 'Missing client key', errorCode: 'MISSING_CLIENT_KEY' },
      ])
      const invalid = await call({ 'x-client-key': 'not-a-key' })
      expect([invalid.status, await invalid.json()]).toEqual([
        498,
        { message: 'Invalid client key', errorCode: 'INVALID_CLIENT_KEY' },
      ])
      const region = await call({ 'x-client-key': intlOnly.clientKey, 'x-us-env': 'true' })
      expect([region.status, await region.json()]).toEqual([
        403,
        { message: 'Not authorized', errorCode: 'REGION_NOT_ENABLED' },
      ])

      const disabled = await runCli(['client', 'disable', intlOnly.clientId, '--json'], env)
      expect(JSON.parse(disabled.stdout).status).toBe('disabled')
      // The server caches client lookups for 2 s: a change made by another process shows within that.
      await eventually(
        async () => expect((await call({ 'x-client-key': intlOnly.clientKey })).status).toBe(498),
        5_000,
      )
    } finally {
      expect(await server.stop('SIGTERM')).toBe(0)
    }
    expect(server.output()).toContain('"msg":"shutting down"')
  })
})

describe('verity --help', () => {
  it('has --help on every command', async () => {
    for (const args of [
      [],
      ['serve'],
      ['worker'],
      ['migrate'],
      ['client'],
      ['client', 'create'],
      ['client', 'list'],
      ['client', 'rotate-secret'],
      ['client', 'disable'],
      ['user', 'show'],
      ['user', 'suspend'],
      ['user', 'unsuspend'],
      ['user', 'otp'],
      ['outbox'],
    ]) {
      const result = await runCli([...args, '--help'], {})
      expect(result.code, args.join(' ')).toBe(0)
      expect(result.stdout).toContain('Usage: verity')
    }
  })
})

describe('first start on an empty data directory', () => {
  let storage: TestDatabaseTargets
  beforeAll(async () => {
    storage = await createTestDatabaseTargets('sqlite')
  })
  afterAll(() => storage.cleanup())

  it('creates one demo sandbox client in both regions, prints its keys once, and it works at once', async () => {
    const env = { DATA_DIR: storage.dataDir }
    const first = await startServer(env)
    let clientKey = ''
    try {
      // The walkthrough is printed right after the server starts listening.
      const output = await eventually(() => {
        if (!first.output().includes('Try the API')) throw new Error('no walkthrough yet')
        return first.output()
      })
      expect(output).toContain('First start: a sandbox demo client was created for you.')
      clientKey = /clientKey\s+([0-9a-f-]{36})/.exec(output)?.[1] ?? ''
      expect(output).toMatch(/secretKey\s+vsk_test_/)
      const us = await fetch(`${first.url}/v1/client`, {
        headers: { 'x-client-key': clientKey, 'x-us-env': 'true' },
      })
      expect(await us.json()).toMatchObject({ mode: 'sandbox', regions: ['intl', 'us'], region: 'us' })
    } finally {
      expect(await first.stop()).toBe(0)
    }

    const second = await startServer(env)
    try {
      await eventually(() => expect(second.output()).toContain('Try the API'))
      expect(second.output()).not.toContain('First start')
      expect(second.output()).not.toMatch(/secretKey\s+vsk_test_/)
      expect(second.output()).toContain(clientKey)
    } finally {
      await second.stop()
    }
  })

  it('never creates a demo client in production', async () => {
    const env = {
      DATA_DIR: `${storage.dataDir}/prod`,
      NODE_ENV: 'production',
      SERVER_SECRET: 'b'.repeat(64),
      SMTP_URL: 'smtp://127.0.0.1:2525',
      SMS_WEBHOOK_URL: 'https://sms.example.com/send',
    }
    const server = await startServer(env)
    try {
      expect(server.output()).not.toContain('demo')
      expect((await runCli(['client', 'list', '--json'], env)).stdout.trim()).toBe('[]')
    } finally {
      await server.stop()
    }
  })
})
