import { hash, verify } from '@node-rs/argon2'

/**
 * Passwords are hashed with Argon2id (memory-hard; the library's defaults follow OWASP: 19 MiB,
 * 2 passes). The policy follows NIST SP 800-63B: length over composition rules, and no password
 * that is on every attacker's first page of guesses.
 */
export const PASSWORD_MIN_LENGTH = 8
export const PASSWORD_MAX_LENGTH = 128

const COMMON = new Set([
  'password',
  'password1',
  'password12',
  'password123',
  'passw0rd',
  'p@ssw0rd',
  '12345678',
  '123456789',
  '1234567890',
  '87654321',
  '11111111',
  '00000000',
  '12341234',
  '11223344',
  'qwertyui',
  'qwerty123',
  'qwertyuiop',
  '1q2w3e4r',
  '1qaz2wsx',
  'iloveyou',
  'sunshine',
  'princess',
  'football',
  'baseball',
  'welcome1',
  'welcome123',
  'letmein1',
  'abc12345',
  'abcd1234',
  'admin123',
  'changeme',
  'trustno1',
  'monkey123',
  'dragon123',
  'superman',
  'starwars',
  'whatever',
  'computer',
  'internet',
  'asdfghjk',
])

/** Why a password is refused, or undefined when it is acceptable. */
export const passwordProblem = (password: string, email?: string): string | undefined => {
  const length = [...password].length
  if (length < PASSWORD_MIN_LENGTH || length > PASSWORD_MAX_LENGTH) {
    return `must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters long`
  }
  const lower = password.toLowerCase()
  if (COMMON.has(lower) || /^(.)\1+$/.test(password))
    return 'is too common; choose a longer or less predictable one'
  if (email && (lower === email.toLowerCase() || lower === email.split('@')[0]?.toLowerCase())) {
    return 'must not be your email address'
  }
  return undefined
}

export const hashPassword = (password: string): Promise<string> => hash(password)

export const verifyPassword = (storedHash: string, password: string): Promise<boolean> =>
  verify(storedHash, password).catch(() => false)

/**
 * A hash of a random password, verified against when the email is unknown so that "no such user" takes
 * as long as "wrong password" and the response time does not reveal which emails have accounts.
 */
let decoy: Promise<string> | undefined
export const decoyHash = (): Promise<string> => {
  decoy ??= hash(crypto.randomUUID())
  return decoy
}
