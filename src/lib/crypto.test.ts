import { randomBytes } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { deriveKey, keyedDigest, seal, unseal } from './crypto.ts'

const root = randomBytes(32)

describe('server-secret derived crypto', () => {
  it('derives distinct, stable keys per purpose', () => {
    expect(deriveKey(root, 'a').equals(deriveKey(root, 'a'))).toBe(true)
    expect(deriveKey(root, 'a').equals(deriveKey(root, 'b'))).toBe(false)
    expect(deriveKey(root, 'a')).toHaveLength(32)
  })

  it('seals and unseals any text, never the same ciphertext twice', () => {
    const key = deriveKey(root, 'test')
    fc.assert(
      fc.property(fc.string(), fc.string(), (text, context) => {
        const sealed = seal(key, text, context)
        expect(unseal(key, sealed, context)).toBe(text)
        expect(seal(key, text, context)).not.toBe(sealed)
        if (text.length > 3) expect(sealed).not.toContain(text)
      }),
    )
  })

  it('refuses another key, another context and any tampering', () => {
    const key = deriveKey(root, 'test')
    const sealed = seal(key, '123-45-6789', 'user-1')
    expect(() => unseal(deriveKey(root, 'other'), sealed, 'user-1')).toThrow()
    expect(() => unseal(key, sealed, 'user-2')).toThrow()
    const parts = sealed.split('.')
    const flipped = Buffer.from(parts[3] as string, 'base64url')
    flipped[0] = (flipped[0] as number) ^ 1
    expect(() =>
      unseal(key, [parts[0], parts[1], parts[2], flipped.toString('base64url')].join('.'), 'user-1'),
    ).toThrow()
    expect(() => unseal(key, 'garbage', 'user-1')).toThrow('not a sealed value')
  })

  it('keyed digests depend on the key', () => {
    expect(keyedDigest(deriveKey(root, 'x'), '123456')).not.toBe(keyedDigest(deriveKey(root, 'y'), '123456'))
    expect(keyedDigest(deriveKey(root, 'x'), '123456')).toMatch(/^[0-9a-f]{64}$/)
  })
})
