import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto'

/**
 * Keys for specific purposes are derived from the one server secret with HKDF-SHA256, so that a key
 * used to MAC verification codes can never decrypt an SSN, and each purpose can be rotated by name.
 */
export const deriveKey = (serverSecret: Buffer, purpose: string): Buffer =>
  Buffer.from(hkdfSync('sha256', serverSecret, Buffer.alloc(0), `verity:${purpose}`, 32))

const VERSION = 'v1'

/** AES-256-GCM: `v1.<iv>.<tag>.<ciphertext>` in base64url. The associated data binds it to its context. */
export const seal = (key: Buffer, plaintext: string, associatedData = ''): string => {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  cipher.setAAD(Buffer.from(associatedData, 'utf8'))
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
  return [VERSION, iv, cipher.getAuthTag(), ciphertext]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.')
}

/** Reverses `seal`; throws when the value was tampered with or sealed under another key or context. */
export const unseal = (key: Buffer, sealed: string, associatedData = ''): string => {
  const [version, iv, tag, ciphertext] = sealed.split('.')
  if (version !== VERSION || !iv || !tag || ciphertext === undefined) throw new Error('not a sealed value')
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'))
  decipher.setAAD(Buffer.from(associatedData, 'utf8'))
  decipher.setAuthTag(Buffer.from(tag, 'base64url'))
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString(
    'utf8',
  )
}

/** Keyed digest for low-entropy secrets (6-digit codes): without the key a stolen digest is useless. */
export const keyedDigest = (key: Buffer, value: string): string =>
  createHmac('sha256', key).update(value, 'utf8').digest('hex')
