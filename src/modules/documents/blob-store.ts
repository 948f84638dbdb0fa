import { randomBytes } from 'node:crypto'
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'

/**
 * Where document bytes live. Callers only ever hand it ciphertext (see vault.ts); keys are opaque
 * names chosen by the caller. Local disk is the default; an object store can implement the same four
 * methods.
 */
export type BlobStore = {
  put(key: string, bytes: Buffer): Promise<void>
  get(key: string): Promise<Buffer>
  delete(key: string): Promise<void>
  /** Where `key` is kept, for operators and tests (a path for the disk store). */
  locate(key: string): string
}

const SAFE_KEY = /^[A-Za-z0-9_]+(\/[A-Za-z0-9_]+)*$/

/**
 * Files under one directory (`DATA_DIR/documents`), never served by the HTTP server. A write goes to a
 * temporary file that is flushed and then renamed, so a crash leaves either the whole object or none.
 */
export const diskBlobStore = (root: string): BlobStore => {
  const pathOf = (key: string) => {
    if (!SAFE_KEY.test(key)) throw new Error(`unsafe blob key ${JSON.stringify(key)}`)
    return join(root, key)
  }
  return {
    async put(key, bytes) {
      const path = pathOf(key)
      await mkdir(dirname(path), { recursive: true, mode: 0o700 })
      const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`
      const handle = await open(temporary, 'wx', 0o600)
      try {
        await handle.writeFile(bytes)
        await handle.sync()
      } finally {
        await handle.close()
      }
      await rename(temporary, path)
    },
    get: (key) => readFile(pathOf(key)),
    delete: (key) => rm(pathOf(key), { force: true }),
    locate: pathOf,
  }
}
