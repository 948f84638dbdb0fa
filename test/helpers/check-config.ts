import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { type Config, loadConfig } from '../../src/config/config.ts'

/** The configuration the checks see by default (every threshold at its documented default). */
export const defaultCheckConfig = (env: Record<string, string> = {}): Config =>
  loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: tmpdir(),
    SERVER_SECRET: randomBytes(32).toString('base64'),
    ...env,
  })
