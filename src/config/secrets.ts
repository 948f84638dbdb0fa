import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'

const SECRET_FILE = 'server-secret'

const decode = (value: string): Buffer => {
  const trimmed = value.trim()
  if (/^[0-9a-f]+$/i.test(trimmed) && trimmed.length % 2 === 0) return Buffer.from(trimmed, 'hex')
  return Buffer.from(trimmed, 'base64')
}

/**
 * The server secret from SERVER_SECRET, or (outside production, where config.ts has already demanded
 * the variable) from DATA_DIR/server-secret, created with mode 0600 on first start. Losing this file
 * makes encrypted documents unreadable, so the README's backup section names it.
 */
export const loadOrCreateServerSecret = (fromEnv: string | undefined, dataDir: string): Buffer => {
  if (fromEnv !== undefined) return decode(fromEnv)
  const file = path.join(dataDir, SECRET_FILE)
  if (existsSync(file)) return decode(readFileSync(file, 'utf8'))
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const secret = randomBytes(32)
  try {
    writeFileSync(file, `${secret.toString('base64')}\n`, { mode: 0o600, flag: 'wx' })
    return secret
  } catch (error) {
    // Another process started at the same moment and wrote it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return decode(readFileSync(file, 'utf8'))
    throw error
  }
}
