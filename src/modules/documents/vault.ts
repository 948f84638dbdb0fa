import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import { seal, unseal } from '../../lib/crypto.ts'
import type { BlobStore } from './blob-store.ts'

/** What the database keeps about a stored object: enough to find, decrypt and check it. */
export type SealedObject = { storageKey: string; wrappedKey: string; sha256: string; byteSize: number }

const MAGIC = Buffer.from('VDOC1')

/**
 * Envelope encryption for documents: every object gets its own random AES-256-GCM key, which is stored
 * only wrapped (sealed) under the documents master key derived from SERVER_SECRET. A copied disk is
 * unreadable without the database and the secret; a leaked object key exposes one object; rotating the
 * master key means re-wrapping small keys, not re-encrypting every file. The object id is the
 * associated data of both layers, so an object or key swapped onto another row does not decrypt.
 */
export const documentVault = (store: BlobStore, masterKey: Buffer) => ({
  async put(objectId: string, storageKey: string, plaintext: Buffer): Promise<SealedObject> {
    const objectKey = randomBytes(32)
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', objectKey, iv)
    cipher.setAAD(Buffer.from(objectId))
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()])
    await store.put(storageKey, Buffer.concat([MAGIC, iv, cipher.getAuthTag(), ciphertext]))
    return {
      storageKey,
      wrappedKey: seal(masterKey, objectKey.toString('base64'), objectId),
      sha256: createHash('sha256').update(plaintext).digest('hex'),
      byteSize: plaintext.length,
    }
  },

  /** Decrypts an object and checks it against its recorded hash. */
  async get(objectId: string, sealed: Pick<SealedObject, 'storageKey' | 'wrappedKey' | 'sha256'>) {
    const stored = await store.get(sealed.storageKey)
    if (!stored.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('not a Verity document object')
    const objectKey = Buffer.from(unseal(masterKey, sealed.wrappedKey, objectId), 'base64')
    const iv = stored.subarray(MAGIC.length, MAGIC.length + 12)
    const tag = stored.subarray(MAGIC.length + 12, MAGIC.length + 28)
    const decipher = createDecipheriv('aes-256-gcm', objectKey, iv)
    decipher.setAAD(Buffer.from(objectId))
    decipher.setAuthTag(tag)
    const plaintext = Buffer.concat([decipher.update(stored.subarray(MAGIC.length + 28)), decipher.final()])
    if (createHash('sha256').update(plaintext).digest('hex') !== sealed.sha256)
      throw new Error('document hash mismatch')
    return plaintext
  },

  delete: (storageKey: string) => store.delete(storageKey),
})

export type DocumentVault = ReturnType<typeof documentVault>
