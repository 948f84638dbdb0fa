import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Human, Config as HumanConfig, Result } from '@vladmandic/human'
import { withOfflineFetch } from './offline-fetch.ts'

const require = createRequire(import.meta.url)

/** The Human release the thresholds were chosen on: another one may score faces differently. */
export const HUMAN_VERSION = '3.3.6'

/**
 * The model files the faces analyzer uses, with their SHA-256 in Human 3.3.6: detector (blazeface, with
 * rotation), mesh (head pose), description (faceres, the 1024-d embedding), antispoof and liveness (signals
 * only). A truncated or altered file is refused by name before Human sees it: Human itself only logs a
 * model that fails to load and carries on without it.
 */
const MODEL_FILES: Readonly<Record<string, string>> = {
  'blazeface.json': 'cd7bbfc078270572beb39f9e5ae67aadbd50b5e67cff37e6d4f6b3ea39312e5f',
  'blazeface.bin': 'dc9a97fdc50bc43216554bdd69aa3e7b9361a519ee7bdd996a2f69a98a6f9b72',
  'facemesh.json': 'b60ca26f404724f43bd2b1575761d8265180e1f053cc0731caa68462927309e7',
  'facemesh.bin': '3826da640b0a3021161605369ee6af293f75d518040355b960ec71a3390c1c0b',
  'faceres.json': '5b83d49c0385d2e68a05122441b94226313677cae9fcc40b9587ad50079eb4df',
  'faceres.bin': '2c7d2d62b76c97528b736527aa09d310ea71743c9e3e79fb6c62d4b2d73af79b',
  'antispoof.json': '7fd698ae1cebabbcad79d3b8b448587b0365eb7911987418231bdcf36583112a',
  'antispoof.bin': '4490fecb2becdb6869edc7e60f5e59962be013a8def8719b1373afb0f905c094',
  'liveness.json': '9e51c8acf83b80abbf329b2735309ab5c90611c66905ade8b1bd130d473df9c8',
  'liveness.bin': 'fc6a6b6b3b9721bdb8bff67a457a15b7cbfd81715cfb27f3e65b757e81dd663e',
}

/** The models Human must report loaded, by the names `human.models.loaded()` gives them. */
const REQUIRED_MODELS = ['blazeface', 'facemesh', 'faceres', 'antispoof', 'liveness'] as const

export type FaceModelLocation = { humanDir: string; modelsDir: string; wasmDir: string }

/**
 * Where Human and the tfjs WASM binaries are. Human's `exports` map offers only its tfjs-node build and
 * hides package.json, so its folder is found from the main entry and its node-wasm build is required by
 * file path.
 */
export const faceModelLocation = (): FaceModelLocation => {
  const humanDir = dirname(dirname(require.resolve('@vladmandic/human')))
  return {
    humanDir,
    modelsDir: join(humanDir, 'models'),
    wasmDir: dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')),
  }
}

/** Refuses a Human of another version, and any model file that is missing or not the one shipped. */
export const verifyFaceModels = (location: FaceModelLocation): void => {
  const packageFile = join(location.humanDir, 'package.json')
  const version = (JSON.parse(readFileSync(packageFile, 'utf8')) as { version?: string }).version
  if (version !== HUMAN_VERSION)
    throw new Error(
      `Face models: @vladmandic/human ${version} found at ${location.humanDir}, but the face thresholds were chosen on ${HUMAN_VERSION}; install ${HUMAN_VERSION}`,
    )
  for (const [name, expected] of Object.entries(MODEL_FILES)) {
    const file = join(location.modelsDir, name)
    if (!existsSync(file)) throw new Error(`Face model file missing: ${file}`)
    const actual = createHash('sha256').update(readFileSync(file)).digest('hex')
    if (actual !== expected)
      throw new Error(`Face model file corrupt: ${file} (SHA-256 ${actual}, expected ${expected})`)
  }
  for (const wasm of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm']) {
    const file = join(location.wasmDir, wasm)
    if (!existsSync(file)) throw new Error(`tfjs WASM binary missing: ${file}`)
  }
}

const humanConfig = (location: FaceModelLocation): Partial<HumanConfig> => ({
  backend: 'wasm',
  wasmPath: `${pathToFileURL(location.wasmDir).href}/`,
  modelBasePath: `${pathToFileURL(location.modelsDir).href}/`,
  debug: false,
  // Every image is a new one: no result may be reused from a previous call.
  cacheSensitivity: 0,
  cacheModels: false,
  filter: { enabled: false },
  face: {
    enabled: true,
    detector: {
      enabled: true,
      rotation: true,
      maxDetected: 10,
      minConfidence: 0.3,
      skipFrames: 0,
      skipTime: 0,
    },
    mesh: { enabled: true },
    iris: { enabled: false },
    attention: { enabled: false },
    description: { enabled: true, skipFrames: 0, skipTime: 0 },
    emotion: { enabled: false },
    antispoof: { enabled: true, skipFrames: 0, skipTime: 0 },
    liveness: { enabled: true, skipFrames: 0, skipTime: 0 },
  },
  body: { enabled: false },
  hand: { enabled: false },
  object: { enabled: false },
  gesture: { enabled: false },
  segmentation: { enabled: false },
})

let loading: Promise<{ human: Human }> | undefined

const load = async (): Promise<{ human: Human }> => {
  const location = faceModelLocation()
  verifyFaceModels(location)
  const { Human: HumanClass } = require(join(location.humanDir, 'dist/human.node-wasm.js')) as {
    Human: new (config: Partial<HumanConfig>) => Human
  }
  const human = new HumanClass(humanConfig(location))
  await withOfflineFetch(() => human.load())
  if (human.tf.getBackend() !== 'wasm')
    throw new Error(`Face models: the tfjs wasm backend did not start (from ${location.wasmDir})`)
  const loaded = new Set(human.models.loaded())
  const missing = REQUIRED_MODELS.filter((model) => !loaded.has(model))
  if (missing.length > 0)
    throw new Error(
      `Face models did not load: ${missing.map((model) => join(location.modelsDir, `${model}.json`))}`,
    )
  return { human }
}

/** Human with the face models, loaded once per thread (a failed load is retried by the next call). */
export const loadHuman = (): Promise<{ human: Human }> => {
  loading ??= load().catch((error: unknown) => {
    loading = undefined
    throw error
  })
  return loading
}

let queue: Promise<unknown> = Promise.resolve()

/**
 * Runs Human on one RGB image. Calls are serialised: Human keeps per-call state on its instance, and
 * two detections interleaved on one instance (two jobs in one process) could mix their results.
 */
export const detectFaces = (
  rgb: { data: Uint8Array; width: number; height: number },
  override: Partial<HumanConfig> = {},
): Promise<Result> => {
  const run = queue.then(async () => {
    const { human } = await loadHuman()
    const tensor = human.tf.tensor3d(rgb.data, [rgb.height, rgb.width, 3], 'int32')
    try {
      return await human.detect(tensor, override)
    } finally {
      human.tf.dispose(tensor)
    }
  })
  queue = run.catch(() => undefined)
  return run
}
