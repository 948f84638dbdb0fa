import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { createWorker, OEM, type Worker } from 'tesseract.js'

const require = createRequire(import.meta.url)

let loading: Promise<Worker> | undefined

/**
 * One tesseract.js worker per process (or analysis thread), English `4.0.0_best_int` data read from
 * `@tesseract.js-data/eng` in node_modules: nothing is downloaded, and nothing is cached to disk. For
 * printed text (proof of address, a document's front); not for the MRZ, which OCR-B templates read better.
 */
export const loadTesseract = (): Promise<Worker> => {
  loading ??= createWorker('eng', OEM.LSTM_ONLY, {
    langPath: join(dirname(require.resolve('@tesseract.js-data/eng/package.json')), '4.0.0_best_int'),
    cacheMethod: 'none',
    gzip: true,
  }).catch((error: unknown) => {
    loading = undefined
    throw error
  })
  return loading
}

/** Ends the worker (tests, and a thread that shuts down). */
export const closeTesseract = async () => {
  const current = loading
  loading = undefined
  if (current) await (await current).terminate()
}
