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
        'TRUST_PROXY: expected true or false, got "perhaps"',
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
