import { createHmac, timingSafeEqual } from 'node:crypto'

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url')

const mac = (key: Buffer, input: string) => createHmac('sha256', key).update(input).digest()

/**
 * A compact HS256 JWT of our own claims (the Baanx initiate token is one). Only this server reads it, so
 * no library is needed: the header is fixed, and anything else is refused on reading.
 */
export const signClaims = (key: Buffer, claims: Record<string, unknown>): string => {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url')
  return `${HEADER}.${payload}.${mac(key, `${HEADER}.${payload}`).toString('base64url')}`
}

/** The claims of a token this server signed for `typ`, before `exp` (ms); undefined for anything else. */
export const readClaims = (
  key: Buffer,
  token: string,
  typ: string,
  now: number,
): Record<string, unknown> | undefined => {
  const [header, payload, signature, ...rest] = token.split('.')
  if (header !== HEADER || payload === undefined || signature === undefined || rest.length > 0)
    return undefined
  const expected = mac(key, `${header}.${payload}`)
  const given = Buffer.from(signature, 'base64url')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined
  let claims: unknown
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
  } catch {
    return undefined
  }
  if (typeof claims !== 'object' || claims === null) return undefined
  const record = claims as Record<string, unknown>
  if (record.typ !== typ || typeof record.exp !== 'number' || record.exp * 1000 <= now) return undefined
  return record
}
