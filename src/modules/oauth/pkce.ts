import { createHash, timingSafeEqual } from 'node:crypto'

/** RFC 7636: a verifier is 43–128 unreserved characters; an S256 challenge is 43 base64url characters. */
export const VERIFIER_PATTERN = '^[A-Za-z0-9._~-]{43,128}$'
export const CHALLENGE_PATTERN = '^[A-Za-z0-9_-]{43}$'

const VERIFIER = new RegExp(VERIFIER_PATTERN)

export const s256 = (verifier: string): string => createHash('sha256').update(verifier).digest('base64url')

/** Whether the verifier is well formed and hashes to the challenge (compared in constant time). */
export const verifierMatches = (verifier: string, challenge: string): boolean => {
  if (!VERIFIER.test(verifier)) return false
  const computed = Buffer.from(s256(verifier))
  const expected = Buffer.from(challenge)
  return computed.length === expected.length && timingSafeEqual(computed, expected)
}
