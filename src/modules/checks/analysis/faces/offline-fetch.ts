import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

/**
 * The `fetch` Human and tfjs load their models and WASM with: `file://` URLs are served from disk, and
 * anything else is refused. Models come from node_modules, never from a CDN: a misconfigured base path
 * fails loudly instead of downloading (or leaking that a check runs) behind the operator's back.
 */
export const offlineFetch = async (resource: string | URL | Request): Promise<Response> => {
  const url = typeof resource === 'string' ? resource : resource instanceof URL ? resource.href : resource.url
  if (!url.startsWith('file://')) throw new Error(`Network access refused while loading face models: ${url}`)
  const path = fileURLToPath(url)
  try {
    return new Response(await readFile(path), { status: 200 })
  } catch (error) {
    throw new Error(`Face model file missing or unreadable: ${path} (${(error as Error).message})`)
  }
}

/**
 * Runs `work` with `offlineFetch` as the global fetch, then puts the previous one back. Human looks
 * `fetch` up when it loads; the swap lasts only that long so that, when the analysis runs in the
 * worker's main thread, nothing else in the process loses its fetch.
 */
export const withOfflineFetch = async <T>(work: () => Promise<T>): Promise<T> => {
  const previous = globalThis.fetch
  globalThis.fetch = offlineFetch as typeof fetch
  try {
    return await work()
  } finally {
    globalThis.fetch = previous
  }
}
