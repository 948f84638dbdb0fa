import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadConfig } from './config.ts'
import { ConfigError } from './config-error.ts'

const dataDir = () => mkdtempSync(path.join(tmpdir(), 'verity-config-'))
const problemsOf = (env: NodeJS.ProcessEnv): string[] => {
  try {
    loadConfig(env)
  } catch (error) {
    if (error instanceof ConfigError) return error.problems
    throw error
  }
  return []
}

describe('loadConfig', () => {
  it('defaults to SQLite files in DATA_DIR and generates a server secret there (0600)', () => {
    const dir = dataDir()
    const config = loadConfig({ DATA_DIR: dir })
    expect(config).toMatchObject({
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: 3000,
      PUBLIC_URL: 'http://localhost:3000',
      isProduction: false,
      DEMO_CLIENT: true,
      databases: {
        intl: { dialect: 'sqlite', file: path.join(dir, 'verity-intl.sqlite') },
        us: { dialect: 'sqlite', file: path.join(dir, 'verity-us.sqlite') },
      },
    })
    expect(config.serverSecret).toHaveLength(32)
    const file = path.join(dir, 'server-secret')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    // The next start reads the same secret back.
    expect(loadConfig({ DATA_DIR: dir }).serverSecret.equals(config.serverSecret)).toBe(true)
    expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64').equals(config.serverSecret)).toBe(true)
  })

  it('converts numbers and booleans, and reads postgres and sqlite URLs', () => {
    const config = loadConfig({
      DATA_DIR: dataDir(),
      PORT: '8080',
      MIGRATE_ON_BOOT: 'no',
      DATABASE_URL: 'postgres://verity@db.internal:5432/verity_intl',
      US_DATABASE_URL: 'sqlite:/var/lib/verity/us.sqlite',
      PUBLIC_URL: 'https://kyc.example.com/',
    })
    expect(config.PORT).toBe(8080)
    expect(config.MIGRATE_ON_BOOT).toBe(false)
    expect(config.PUBLIC_URL).toBe('https://kyc.example.com')
    expect(config.databases.intl).toEqual({
      dialect: 'postgres',
      url: 'postgres://verity@db.internal:5432/verity_intl',
    })
    expect(config.databases.us).toEqual({ dialect: 'sqlite', file: '/var/lib/verity/us.sqlite' })
  })

  it('reads TRUST_PROXY as a hop count or proxy addresses, and refuses true (it trusts every client)', () => {
    const trust = (value: string) => loadConfig({ DATA_DIR: dataDir(), TRUST_PROXY: value }).TRUST_PROXY
    expect(trust('false')).toBe(false)
    expect(loadConfig({ DATA_DIR: dataDir() }).TRUST_PROXY).toBe(false)
    expect(trust('1')).toBe(1)
    expect(trust('2')).toBe(2)
    expect(trust('10.0.0.5, 10.1.0.0/16,fd00::/8, loopback')).toEqual([
      '10.0.0.5',
      '10.1.0.0/16',
      'fd00::/8',
      'loopback',
    ])
    expect(problemsOf({ DATA_DIR: dataDir(), TRUST_PROXY: 'true' })).toEqual([
      'TRUST_PROXY: true would let any client choose its address through X-Forwarded-For; give the number of proxies in front (e.g. 1) or their addresses/CIDRs',
    ])
    for (const bad of ['10.0.0.0/33', 'proxy.internal', '10.0.0.1/8/2', ','])
      expect(problemsOf({ DATA_DIR: dataDir(), TRUST_PROXY: bad }), bad).toEqual([
        `TRUST_PROXY: expected false, a hop count or a comma list of proxy addresses/CIDRs, got "${bad}"`,
      ])
  })

  it('has bounded HTTP timeouts by default and keeps the headers timeout within the request timeout', () => {
    expect(loadConfig({ DATA_DIR: dataDir() })).toMatchObject({
      HTTP_HEADERS_TIMEOUT_MS: 15_000,
      HTTP_REQUEST_TIMEOUT_MS: 120_000,
      HTTP_KEEP_ALIVE_TIMEOUT_MS: 10_000,
      HTTP_CONNECTION_TIMEOUT_MS: 60_000,
    })
    expect(
      problemsOf({ DATA_DIR: dataDir(), HTTP_HEADERS_TIMEOUT_MS: '5000', HTTP_REQUEST_TIMEOUT_MS: '1000' }),
    ).toEqual(['HTTP_HEADERS_TIMEOUT_MS: must not exceed HTTP_REQUEST_TIMEOUT_MS'])
  })

  it('ends console sessions after 15 idle minutes and 8 hours by default, idle within absolute', () => {
    expect(loadConfig({ DATA_DIR: dataDir() })).toMatchObject({
      STAFF_IDLE_TIMEOUT_MS: 15 * 60_000,
      STAFF_SESSION_MAX_MS: 8 * 60 * 60_000,
    })
    expect(
      problemsOf({ DATA_DIR: dataDir(), STAFF_IDLE_TIMEOUT_MS: '7200000', STAFF_SESSION_MAX_MS: '3600000' }),
    ).toEqual(['STAFF_IDLE_TIMEOUT_MS: must not exceed STAFF_SESSION_MAX_MS'])
  })

  it('names every invalid variable and the reason', () => {
    const problems = problemsOf({
      DATA_DIR: dataDir(),
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      TRUST_PROXY: 'perhaps',
      DATABASE_URL: 'mysql://nope',
      PUBLIC_URL: 'kyc.example.com',
    })
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PORT: /),
        expect.stringMatching(/^LOG_LEVEL: /),
        'TRUST_PROXY: expected false, a hop count or a comma list of proxy addresses/CIDRs, got "perhaps"',
        expect.stringMatching(/^PUBLIC_URL: /),
      ]),
    )
    expect(problemsOf({ DATA_DIR: dataDir(), DATABASE_URL: 'mysql://nope' })).toEqual([
      'DATABASE_URL: must start with postgres://, postgresql:// or sqlite:',
    ])
  })

  it('requires SERVER_SECRET, SMTP and SMS in production and never creates the demo client there', () => {
    expect(problemsOf({ DATA_DIR: dataDir(), NODE_ENV: 'production' })).toEqual([
      'SMTP_URL: required when NODE_ENV=production (verification codes are sent by email)',
      'SMS_WEBHOOK_URL: required when NODE_ENV=production (phone codes are sent by SMS)',
      'SERVER_SECRET: required when NODE_ENV=production (at least 32 random bytes, base64 or hex)',
    ])
    const config = loadConfig({
      DATA_DIR: dataDir(),
      NODE_ENV: 'production',
      SERVER_SECRET: 'a'.repeat(64),
      SMTP_URL: 'smtps://mail.example.com',
      SMS_WEBHOOK_URL: 'https://sms.example.com/send',
      DEMO_CLIENT: 'true',
    })
    expect(config.DEMO_CLIENT).toBe(false)
    expect(config.serverSecret).toHaveLength(32)
  })

  it('refuses one PostgreSQL database for both regions', () => {
    const url = 'postgres://verity@db/verity'
    expect(problemsOf({ DATA_DIR: dataDir(), DATABASE_URL: url, US_DATABASE_URL: url })).toEqual([
      'US_DATABASE_URL: must differ from DATABASE_URL (each region is its own database)',
    ])
  })
})
