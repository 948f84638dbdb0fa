import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { diskBlobStore } from './blob-store.ts'
import { documentVault } from './vault.ts'

describe('document vault (envelope encryption on the disk blob store)', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'verity-vault-'))
  })
  afterEach(() => rm(dir, { recursive: true, force: true }))

  it('stores ciphertext only, with a per-object key, and gives the plaintext back', async () => {
    const vault = documentVault(diskBlobStore(dir), randomBytes(32))
    const plaintext = Buffer.from('\xff\xd8\xff\xe0 JFIF photo bytes', 'latin1')
    const first = await vault.put('doc_1', 'intl/doc_1', plaintext)
    const second = await vault.put('doc_2', 'intl/doc_2', plaintext)
    const onDisk = await readFile(join(dir, 'intl/doc_1'))
    expect(onDisk.includes(plaintext)).toBe(false)
    expect(onDisk.equals(await readFile(join(dir, 'intl/doc_2')))).toBe(false)
    expect(first.wrappedKey).not.toBe(second.wrappedKey)
    expect(first.sha256).toBe(second.sha256)
    expect((await vault.get('doc_1', first)).equals(plaintext)).toBe(true)
    // Nothing is left behind by the atomic write.
    expect(await readdir(join(dir, 'intl'))).toEqual(['doc_1', 'doc_2'])
  })

  it('refuses a swapped object, a swapped key, a tampered file and another master key', async () => {
    const master = randomBytes(32)
    const vault = documentVault(diskBlobStore(dir), master)
    const a = await vault.put('doc_a', 'intl/doc_a', Buffer.from('document a'))
    const b = await vault.put('doc_b', 'intl/doc_b', Buffer.from('document b'))
    await expect(vault.get('doc_a', { ...a, storageKey: b.storageKey })).rejects.toThrow()
    await expect(vault.get('doc_a', { ...a, wrappedKey: b.wrappedKey })).rejects.toThrow()
    await expect(documentVault(diskBlobStore(dir), randomBytes(32)).get('doc_a', a)).rejects.toThrow()
    const stored = await readFile(join(dir, a.storageKey))
    stored.writeUInt8((stored.at(-1) as number) ^ 1, stored.length - 1)
    await writeFile(join(dir, a.storageKey), stored)
    await expect(vault.get('doc_a', a)).rejects.toThrow()
    await expect(vault.get('doc_b', { ...b, wrappedKey: '' })).rejects.toThrow()
  })

  it('refuses keys that could leave its directory', async () => {
    const store = diskBlobStore(dir)
    for (const key of ['../x', '/etc/passwd', 'a/../../b', 'a//b', 'a.b', ''])
      await expect(store.put(key, Buffer.from('x'))).rejects.toThrow(/unsafe blob key/)
  })
})
