import { Worker } from 'node:worker_threads'
import type { HeicAnswer, HeicRequest } from './heic-worker.ts'

export type DecodedHeic =
  | { ok: true; width: number; height: number; data: Uint8Array }
  | { ok: false; problem: 'unreadable' | 'empty' | 'too-large' }

type Pending = { resolve(answer: DecodedHeic): void; reject(error: Error): void }

let worker: Worker | undefined
let nextId = 0
const pending = new Map<number, Pending>()

/** One long-lived decoder thread, started on first use; a crashed one fails its requests and is replaced. */
const decoder = (): Worker => {
  if (worker) return worker
  // The thread loads TypeScript through tsx's loader like the main process (no build step); Node 20 does
  // not apply `--import` to worker threads, so a two-line bootstrap registers it.
  const script = new URL('./heic-worker.ts', import.meta.url).href
  const started = new Worker(
    `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(script)}) })`,
    { eval: true },
  )
  started.on('message', (answer: HeicAnswer) => {
    const request = pending.get(answer.id)
    pending.delete(answer.id)
    if (!request) return
    const { id: _, ...decoded } = answer
    request.resolve(decoded)
    idle(started)
  })
  const fail = (error: Error) => {
    if (worker === started) worker = undefined
    for (const request of pending.values()) request.reject(error)
    pending.clear()
  }
  started.on('error', fail)
  started.on('exit', (code) => fail(new Error(`HEIC decoder thread exited with code ${code}`)))
  worker = started
  return started
}

/**
 * The thread keeps the process alive only while it has work: an idle decoder must not stop a CLI command
 * or a test run from exiting. (Listeners re-reference a worker, so this runs after they are attached.)
 */
const idle = (thread: Worker) => {
  if (pending.size === 0) thread.unref()
}

/** Decodes the primary image of a HEIC/HEIF file to RGBA off the main thread. */
export const decodeHeicOffThread = (bytes: Buffer, maxPixels: number): Promise<DecodedHeic> =>
  new Promise((resolve, reject) => {
    const id = nextId++
    pending.set(id, { resolve, reject })
    const request: HeicRequest = { id, bytes, maxPixels }
    const thread = decoder()
    thread.ref()
    thread.postMessage(request)
  })
