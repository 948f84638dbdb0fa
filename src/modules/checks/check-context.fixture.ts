import { loadConfig } from '../../config/config.ts'
import type { Databases } from '../../db/database.ts'
import type { SessionRow, UserRow } from '../../db/schema.ts'
import type { DocumentData } from './analysis/document-data.ts'
import type { CheckContext } from './check.ts'
import { POLICY } from './test-context.ts'

/** For the checks' unit tests: a live submission's context, with the parts a test cares about given. */
export const TEST_CONFIG = loadConfig({
  SERVER_SECRET: Buffer.alloc(32, 7).toString('base64'),
  DATA_DIR: '/nonexistent-verity-test',
})

export const testUser = (overrides: Partial<UserRow> = {}): UserRow =>
  ({
    id: '00000000-0000-4000-8000-000000000001',
    client_id: 'cli_test',
    first_name: 'Maria',
    last_name: 'Garcia',
    date_of_birth: '1990-05-12',
    country_of_nationality: 'ES',
    country_of_residence: 'ES',
    verification_state: 'PENDING',
    status: 'active',
    ...overrides,
  }) as UserRow

export const testDocument = (overrides: Partial<DocumentData> = {}): DocumentData => ({
  source: 'mrz',
  format: 'TD3',
  documentCode: 'P',
  documentNumber: 'X1234567',
  issuingCountry: 'ESP',
  nationality: 'ESP',
  surname: 'GARCIA',
  givenNames: 'MARIA',
  dateOfBirth: '1990-05-12',
  expiryDate: '2031-01-01',
  sex: 'female',
  checkDigits: [],
  ...overrides,
})

export const testContext = (overrides: Partial<CheckContext> = {}): CheckContext => {
  const user = overrides.user ?? testUser()
  return {
    session: { id: 'ses_test', user_id: user.id, client_id: user.client_id } as SessionRow,
    user,
    client: undefined,
    sandbox: false,
    identity: null,
    config: TEST_CONFIG,
    input: { documentType: 'passport', issuingCountry: 'ES', files: {} },
    analysis: { documentData: testDocument() },
    policy: POLICY,
    keys: { identityFingerprints: Buffer.alloc(32, 7) },
    now: Date.parse('2026-12-02T12:00:00Z'),
    database: undefined as unknown as CheckContext['database'],
    databases: undefined as unknown as Databases,
    ...overrides,
  }
}
