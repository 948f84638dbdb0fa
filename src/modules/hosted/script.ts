import { readFile } from 'node:fs/promises'

export const FLOW_SCRIPT_PATH = '/verify/assets/flow.js'

const compile = async (): Promise<string> => {
  const { transform } = await import('esbuild')
  const source = await readFile(new URL('../../web/client/flow.ts', import.meta.url), 'utf8')
  return (await transform(source, { loader: 'ts', format: 'iife', target: 'es2020', minify: true })).code
}

let compiled: Promise<string> | undefined

/**
 * The browser script is TypeScript in the repository, compiled by esbuild on the first request for it
 * and kept. Compiling it at import made every process (each CLI command too) start esbuild first.
 */
export const flowScript = (): Promise<string> => {
  compiled ??= compile().catch((error: unknown) => {
    // Not kept: the next request tries again.
    compiled = undefined
    throw error
  })
  return compiled
}
