import { isIP } from 'node:net'
import path from 'node:path'
import type { Static } from 'typebox'
import { Value } from 'typebox/value'
import { ConfigError } from './config-error.ts'
import {
  type DocumentPolicy,
  parseCountries,
  parseDocumentTypes,
  parseIssuingCountries,
} from './document-policy.ts'
import { BooleanFields, EnvSchema } from './env-schema.ts'
import { loadOrCreateServerSecret } from './secrets.ts'

export type Env = Static<typeof EnvSchema>

/** What Fastify's `trustProxy` gets: nothing, the number of proxy hops, or the proxies' addresses. */
export type TrustProxy = false | number | string[]

export type DatabaseTarget = { dialect: 'sqlite'; file: string } | { dialect: 'postgres'; url: string }

export type Config = Readonly<
  Omit<
    Env,
    | 'DATABASE_URL'
    | 'US_DATABASE_URL'
    | 'SERVER_SECRET'
    | 'PUBLIC_URL'
    | 'DATA_DIR'
    | 'WEBHOOK_ALLOW_PRIVATE_NETWORKS'
    | 'TRUST_PROXY'
    | `${'INTL' | 'US'}_${'ACCEPTED_DOCUMENT_TYPES' | 'ACCEPTED_ISSUING_COUNTRIES' | 'RESTRICTED_COUNTRIES' | 'MINIMUM_AGE'}`
  > & {
    TRUST_PROXY: TrustProxy
    DATA_DIR: string
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: boolean
    PUBLIC_URL: string
    databases: { intl: DatabaseTarget; us: DatabaseTarget }
    /** Per region: the documents accepted, the countries refused, the minimum age. */
    documentPolicies: Readonly<Record<'intl' | 'us', DocumentPolicy>>
    serverSecret: Buffer
    isProduction: boolean
  }
>

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on'])
const FALSE_WORDS = new Set(['false', '0', 'no', 'off'])

/** Only the variables the schema knows, with strings turned into numbers and booleans where declared. */
const pickEnv = (source: NodeJS.ProcessEnv, problems: string[]): Record<string, unknown> => {
  const picked: Record<string, unknown> = {}
  for (const name of Object.keys(EnvSchema.properties)) {
    const raw = source[name]
    if (raw === undefined || raw === '') continue
    if (BooleanFields.has(name)) {
      const word = raw.trim().toLowerCase()
      if (TRUE_WORDS.has(word)) picked[name] = true
      else if (FALSE_WORDS.has(word)) picked[name] = false
      else problems.push(`${name}: expected true or false, got "${raw}"`)
      continue
    }
    picked[name] = raw
  }
  return picked
}

const PROXY_ADDRESS_KEYWORDS = new Set(['loopback', 'linklocal', 'uniquelocal'])

const isProxyAddress = (entry: string): boolean => {
  if (PROXY_ADDRESS_KEYWORDS.has(entry)) return true
  const [address = '', prefix, ...rest] = entry.split('/')
  const family = isIP(address)
  if (family === 0 || rest.length > 0) return false
  if (prefix === undefined) return true
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128)
}

/**
 * `true` would believe X-Forwarded-For from anyone, so every client could pick the address the login
 * throttle counts: refused with the way out, rather than kept with a warning nobody reads.
 */
const parseTrustProxy = (raw: string, problems: string[]): TrustProxy => {
  const value = raw.trim().toLowerCase()
  if (value === 'false' || value === '0') return false
  if (value === 'true') {
    problems.push(
      'TRUST_PROXY: true would let any client choose its address through X-Forwarded-For; give the number of proxies in front (e.g. 1) or their addresses/CIDRs',
    )
    return false
  }
  if (/^\d+$/.test(value)) return Number(value)
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
  const invalid = entries.filter((entry) => !isProxyAddress(entry))
  if (entries.length === 0 || invalid.length > 0) {
    problems.push(
      `TRUST_PROXY: expected false, a hop count or a comma list of proxy addresses/CIDRs, got "${raw}"`,
    )
    return false
  }
  return entries
}

const parseDocumentPolicy = (env: Env, prefix: 'INTL' | 'US', problems: string[]): DocumentPolicy => ({
  documentTypes: parseDocumentTypes(
    env[`${prefix}_ACCEPTED_DOCUMENT_TYPES`],
    problems,
    `${prefix}_ACCEPTED_DOCUMENT_TYPES`,
  ),
  issuingCountries: parseIssuingCountries(
    env[`${prefix}_ACCEPTED_ISSUING_COUNTRIES`],
    problems,
    `${prefix}_ACCEPTED_ISSUING_COUNTRIES`,
  ),
  restrictedCountries: parseCountries(
    env[`${prefix}_RESTRICTED_COUNTRIES`],
    problems,
    `${prefix}_RESTRICTED_COUNTRIES`,
  ),
  minimumAge: env[`${prefix}_MINIMUM_AGE`],
})

const parseDatabaseTarget = (
  name: string,
  value: string | undefined,
  fallbackFile: string,
  problems: string[],
): DatabaseTarget => {
  if (value === undefined) return { dialect: 'sqlite', file: fallbackFile }
  if (/^postgres(ql)?:\/\//.test(value)) {
    try {
      new URL(value)
    } catch {
      problems.push(`${name}: not a valid postgres URL`)
    }
    return { dialect: 'postgres', url: value }
  }
  if (value.startsWith('sqlite:')) {
    const file = value.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '')
    if (file.length === 0) problems.push(`${name}: sqlite: needs a file path`)
    return { dialect: 'sqlite', file: file === ':memory:' ? file : path.resolve(file) }
  }
  problems.push(`${name}: must start with postgres://, postgresql:// or sqlite:`)
  return { dialect: 'sqlite', file: fallbackFile }
}

/**
 * Reads and validates the configuration once. Throws ConfigError naming every bad variable; the CLI
 * prints it and exits non-zero.
 */
export const loadConfig = (source: NodeJS.ProcessEnv = process.env): Config => {
  const problems: string[] = []
  const picked = pickEnv(source, problems)
  const converted = Value.Convert(EnvSchema, Value.Default(EnvSchema, picked))
  for (const error of Value.Errors(EnvSchema, converted)) {
    const name = error.instancePath.replace(/^\//, '') || 'environment'
    problems.push(`${name}: ${error.message}`)
  }
  const trustProxy = parseTrustProxy(String((converted as Partial<Env>).TRUST_PROXY ?? 'false'), problems)
  if (problems.length > 0) throw new ConfigError(problems)
  const env = converted as Env

  const isProduction = env.NODE_ENV === 'production'
  const dataDir = path.resolve(env.DATA_DIR)
  const databases = {
    intl: parseDatabaseTarget(
      'DATABASE_URL',
      env.DATABASE_URL,
      path.join(dataDir, 'verity-intl.sqlite'),
      problems,
    ),
    us: parseDatabaseTarget(
      'US_DATABASE_URL',
      env.US_DATABASE_URL,
      path.join(dataDir, 'verity-us.sqlite'),
      problems,
    ),
  }
  if (
    databases.intl.dialect === 'postgres' &&
    databases.us.dialect === 'postgres' &&
    databases.intl.url === databases.us.url
  ) {
    problems.push('US_DATABASE_URL: must differ from DATABASE_URL (each region is its own database)')
  }
  if (isProduction && env.SMTP_URL === undefined) {
    problems.push('SMTP_URL: required when NODE_ENV=production (verification codes are sent by email)')
  }
  if (isProduction && env.SMS_WEBHOOK_URL === undefined) {
    problems.push('SMS_WEBHOOK_URL: required when NODE_ENV=production (phone codes are sent by SMS)')
  }
  if (isProduction && env.SERVER_SECRET === undefined) {
    problems.push(
      'SERVER_SECRET: required when NODE_ENV=production (at least 32 random bytes, base64 or hex)',
    )
  }
  if (env.HTTP_HEADERS_TIMEOUT_MS > env.HTTP_REQUEST_TIMEOUT_MS) {
    problems.push('HTTP_HEADERS_TIMEOUT_MS: must not exceed HTTP_REQUEST_TIMEOUT_MS')
  }
  if (env.STAFF_IDLE_TIMEOUT_MS > env.STAFF_SESSION_MAX_MS) {
    problems.push('STAFF_IDLE_TIMEOUT_MS: must not exceed STAFF_SESSION_MAX_MS')
  }
  if (env.FACE_REVIEW_THRESHOLD > env.FACE_MATCH_THRESHOLD) {
    problems.push('FACE_REVIEW_THRESHOLD: must not exceed FACE_MATCH_THRESHOLD')
  }
  if (env.SANCTIONS_REVIEW_THRESHOLD > env.SANCTIONS_ALERT_THRESHOLD) {
    problems.push('SANCTIONS_REVIEW_THRESHOLD: must not exceed SANCTIONS_ALERT_THRESHOLD')
  }
  const documentPolicies = {
    intl: parseDocumentPolicy(env, 'INTL', problems),
    us: parseDocumentPolicy(env, 'US', problems),
  }
  const publicUrl = (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, '')
  if (problems.length > 0) throw new ConfigError(problems)

  const serverSecret = loadOrCreateServerSecret(env.SERVER_SECRET, dataDir)
  if (serverSecret.length < 32) throw new ConfigError(['SERVER_SECRET: must decode to at least 32 bytes'])

  const {
    DATABASE_URL: _db,
    US_DATABASE_URL: _us,
    SERVER_SECRET: _secret,
    INTL_ACCEPTED_DOCUMENT_TYPES: _intlTypes,
    INTL_ACCEPTED_ISSUING_COUNTRIES: _intlCountries,
    INTL_RESTRICTED_COUNTRIES: _intlRestricted,
    INTL_MINIMUM_AGE: _intlAge,
    US_ACCEPTED_DOCUMENT_TYPES: _usTypes,
    US_ACCEPTED_ISSUING_COUNTRIES: _usCountries,
    US_RESTRICTED_COUNTRIES: _usRestricted,
    US_MINIMUM_AGE: _usAge,
    ...rest
  } = env
  return Object.freeze({
    ...rest,
    DEMO_CLIENT: env.DEMO_CLIENT && !isProduction,
    // A production server must not be turned into a probe of its own network by a webhook URL.
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: env.WEBHOOK_ALLOW_PRIVATE_NETWORKS ?? !isProduction,
    TRUST_PROXY: trustProxy,
    DATA_DIR: dataDir,
    PUBLIC_URL: publicUrl,
    databases,
    documentPolicies,
    serverSecret,
    isProduction,
  })
}
