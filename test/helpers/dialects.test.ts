import { describe, expect, it } from 'vitest'
import { selectDialects } from './dialects.ts'

describe('TEST_DIALECTS', () => {
  const url = 'postgres://postgres@127.0.0.1:5432/postgres'

  it.each([
    ['unset, without a database', undefined, undefined, ['sqlite']],
    ['unset, with a database', undefined, url, ['sqlite', 'postgres']],
    ['sqlite alone, with a database', 'sqlite', url, ['sqlite']],
    ['postgres alone', 'postgres', url, ['postgres']],
    ['both, in any order and spacing', 'postgres, sqlite', url, ['sqlite', 'postgres']],
  ] as const)('%s', (_case, requested, postgresUrl, expected) => {
    expect(selectDialects(requested, postgresUrl)).toEqual(expected)
  })

  it('refuses postgres without TEST_DATABASE_URL, naming the variable', () => {
    expect(() => selectDialects('postgres', undefined)).toThrow(/TEST_DATABASE_URL is not set/)
  })

  it('refuses an unknown dialect, naming it', () => {
    expect(() => selectDialects('sqlite,mysql', url)).toThrow(/unknown dialect mysql/)
  })
})
