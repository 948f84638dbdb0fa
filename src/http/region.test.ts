import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { AppError } from '../lib/errors.ts'
import { resolveRegion } from './region.ts'

const caseVariants = (word: string) =>
  fc.constantFrom(word, word.toUpperCase(), ` ${word} `, word[0]?.toUpperCase() + word.slice(1))

describe('resolveRegion', () => {
  it('is intl when nothing is said', () => {
    expect(resolveRegion({ usEnvHeader: undefined, regionParam: undefined })).toBe('intl')
  })

  it('is us for x-us-env "true" in any case, intl for "false"', () => {
    fc.assert(
      fc.property(caseVariants('true'), caseVariants('false'), (yes, no) => {
        expect(resolveRegion({ usEnvHeader: yes, regionParam: undefined })).toBe('us')
        expect(resolveRegion({ usEnvHeader: no, regionParam: undefined })).toBe('intl')
      }),
    )
  })

  it('refuses every other x-us-env value with a 422 naming the header', () => {
    fc.assert(
      fc.property(
        fc.string().filter((value) => !['true', 'false', ''].includes(value.trim().toLowerCase())),
        (value) => {
          try {
            resolveRegion({ usEnvHeader: value, regionParam: undefined })
            throw new Error('accepted')
          } catch (error) {
            expect(error).toBeInstanceOf(AppError)
            expect((error as AppError).status).toBe(422)
            expect((error as AppError).body).toEqual({
              errors: [{ field: 'x-us-env', message: 'must be "true" or "false"' }],
            })
          }
        },
      ),
    )
  })

  it('lets ?region=us route to us whatever the header says, and refuses unknown regions', () => {
    expect(resolveRegion({ usEnvHeader: 'false', regionParam: 'us' })).toBe('us')
    expect(resolveRegion({ usEnvHeader: undefined, regionParam: 'intl' })).toBe('intl')
    expect(() => resolveRegion({ usEnvHeader: undefined, regionParam: 'eu' })).toThrow(AppError)
  })
})
