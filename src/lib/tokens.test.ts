import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { digestsEqual, generateSecret, hashSecret, secretHint, verifySecret } from './tokens.ts'

describe('secrets', () => {
  it('are prefixed, 256-bit, and unique', () => {
    const secrets = new Set(Array.from({ length: 1_000 }, () => generateSecret('vsk_test_')))
    expect(secrets.size).toBe(1_000)
    for (const secret of secrets) expect(secret).toMatch(/^vsk_test_[A-Za-z0-9_-]{43}$/)
  })

  it('verify against their own hash and nothing else', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (a, b) => {
        expect(verifySecret(a, hashSecret(a))).toBe(true)
        expect(verifySecret(b, hashSecret(a))).toBe(a === b)
      }),
    )
  })

  it('never compare equal to an empty or malformed digest', () => {
    expect(digestsEqual('', '')).toBe(false)
    expect(digestsEqual(hashSecret('x'), 'zz')).toBe(false)
  })

  it('show only their last four characters as a hint', () => {
    expect(secretHint('vsk_test_abcdefgh')).toBe('…efgh')
  })
})
