import { readFileSync } from 'node:fs'
import { transformSync } from 'esbuild'

export const FLOW_SCRIPT_PATH = '/verify/assets/flow.js'

// The browser script is TypeScript in the repository, compiled once when the server starts.
export const flowScript = transformSync(
  readFileSync(new URL('../../web/client/flow.ts', import.meta.url), 'utf8'),
  { loader: 'ts', format: 'iife', target: 'es2020', minify: true },
).code
