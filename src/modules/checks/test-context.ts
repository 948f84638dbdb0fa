import { loadConfig } from '../../config/config.ts'
import type { DocumentPolicy } from '../../config/document-policy.ts'
import type { Databases, RegionDatabase } from '../../db/database.ts'
import type { SessionRow, UserRow } from '../../db/schema.ts'
import type { DocumentData } from './analysis/document-data.ts'
import type { CheckConfig, CheckContext } from './check.ts'

/** For the checks' unit tests: a live intl submission of a German passport, registered data to match. */
export const NOW = Date.UTC(2026, 11, 2, 12, 0, 0)

/** The checks' thresholds at their documented defaults (src/config/env-schema.ts). */
export const CHECK_CONFIG: CheckConfig = loadConfig({ NODE_ENV: 'test', SERVER_SECRET: 'x'.repeat(44) })

export const POLICY: DocumentPolicy = {
  documentTypes: ['passport', 'id_card', 'driving_licence', 'residence_permit'],
  issuingCountries: 'any',
  restrictedCountries: ['CU', 'IR', 'KP', 'SY'],
  minimumAge: 18,
}

export const passportData = (overrides: Partial<DocumentData> = {}): DocumentData => ({
  source: 'mrz',
  format: 'TD3',
  documentCode: 'P',
  documentNumber: 'C01X00T47',
  issuingCountry: 'D',
  nationality: 'D',
  surname: 'MUSTERMANN',
  givenNames: 'ERIKA',
  dateOfBirth: '1984-08-12',
  expiryDate: '2030-02-28',
  sex: 'female',
  checkDigits: [],
  ...overrides,
})

type Options = {
  documentData?: DocumentData | null
  documentType?: CheckContext['input']['documentType']
  issuingCountry?: string | null
  residence?: string
  dateOfBirth?: string | null
  policy?: Partial<DocumentPolicy>
  region?: 'intl' | 'us'
  sandbox?: boolean
  ssn?: { ssn: string | null; asSubmitted?: boolean }
  now?: number
}

export const checkContext = (options: Options = {}): CheckContext => {
  const residence = options.residence ?? 'DE'
  const dateOfBirth = options.dateOfBirth === undefined ? '1984-08-12' : options.dateOfBirth
  const documentData = options.documentData === undefined ? passportData() : options.documentData
  const region = options.region ?? 'intl'
  return {
    session: { id: 'ses_1', client_id: 'cli_1', user_id: 'user-1' } as SessionRow,
    user: { id: 'user-1', country_of_residence: residence, date_of_birth: dateOfBirth } as UserRow,
    client: undefined,
    sandbox: options.sandbox ?? false,
    input: {
      documentType: options.documentType === undefined ? 'passport' : options.documentType,
      issuingCountry: options.issuingCountry === undefined ? 'DE' : options.issuingCountry,
      files: {},
    },
    analysis: documentData ? { documentData } : {},
    identity: {
      snapshot: {
        firstName: 'Erika',
        lastName: 'Mustermann',
        dateOfBirth,
        countryOfNationality: 'DE',
        countryOfResidence: residence,
        ssnLast4: options.ssn?.ssn?.slice(-4) ?? null,
        address: null,
      },
      ssn: options.ssn?.ssn ?? null,
      ssnAsSubmitted: options.ssn?.asSubmitted ?? true,
    },
    policy: { ...POLICY, ...options.policy },
    keys: { identityFingerprints: Buffer.alloc(32, 7) },
    now: options.now ?? NOW,
    database: { region, dialect: 'sqlite' } as RegionDatabase,
    databases: {} as Databases,
    config: CHECK_CONFIG,
  }
}
