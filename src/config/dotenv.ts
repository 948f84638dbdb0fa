import { existsSync } from 'node:fs'

/** Loads a `.env` file when present; variables already set in the environment win. */
export const loadDotEnv = (file = '.env'): void => {
  if (existsSync(file)) process.loadEnvFile(file)
}
