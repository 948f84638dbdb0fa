import { hash, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * Secrets handed out (client secret keys, user access tokens) are 32 random bytes,
 * base64url, behind a readable prefix. Only their SHA-256 is stored: a 256-bit random value needs no
 * slow hash, and a database leak then reveals nothing usable.
 */
export const generateSecret = (prefix: string, bytes = 32): string =>
  `${prefix}${randomBytes(bytes).toString('base64url')}`

// One-shot: every authenticated request hashes its token, and a Hash object costs 2.5x as much.
export const hashSecret = (secret: string): string => hash('sha256', secret, 'hex')

/** Constant-time comparison of two hex digests of equal length. */
export const digestsEqual = (a: string, b: string): boolean => {
  const left = Buffer.from(a, 'hex')
  const right = Buffer.from(b, 'hex')
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right)
}

export const verifySecret = (presented: string, storedHash: string): boolean =>
  digestsEqual(hashSecret(presented), storedHash)

/** The last characters of a secret, safe to show in listings so an operator can tell keys apart. */
export const secretHint = (secret: string): string => `…${secret.slice(-4)}`
