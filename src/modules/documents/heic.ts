import { Worker } from 'node:worker_threads'
import type { HeicAnswer, HeicRequest } from './heic-worker.ts'

export type DecodedHeic =
  | { ok: true; width: number; height: number; data: Uint8Array }
  | { ok: false; problem: 'unreadable' | 'empty' | 'too-large' | 'timeout' }

/**
 * Decoder threads waiting for work. A decode takes a thread of its own (started when none is idle) and
 * gives it back when done, so a decode that overruns its deadline can be stopped by terminating its
 * thread without harming anyone else's. How many decode at once is bounded by the callers
 * (DecodeLimiter), and so is the number of threads.
 */
const idle = new Set<Worker>()

const startDecoder = (): Worker => {
  // Node strips the thread's TypeScript like the main process's (no build step), in tests too.
  const thread = new Worker(new URL('./heic-worker.ts', import.meta.url))
  // An idle thread that dies is forgotten; a busy one's caller learns it from its own listeners.
  thread.on('exit', () => idle.delete(thread))
  thread.on('error', () => idle.delete(thread))
  return thread
}

let nextId = 0

const ask = (thread: Worker, request: HeicRequest, timeoutMs: number) =>
  new Promise<HeicAnswer | 'timeout'>((resolve, reject) => {
    const settle = () => {
      clearTimeout(timer)
      thread.off('message', onMessage)
      thread.off('error', onError)
      thread.off('exit', onExit)
    }
    const onMessage = (answer: HeicAnswer) => {
      if (answer.id !== request.id) return
      settle()
      resolve(answer)
    }
    const onError = (error: Error) => {
      settle()
      reject(error)
    }
    const onExit = (code: number) => {
      settle()
      reject(new Error(`HEIC decoder thread exited with code ${code}`))
    }
    const timer = setTimeout(() => {
      settle()
      resolve('timeout')
    }, timeoutMs)
    thread.on('message', onMessage)
    thread.on('error', onError)
    thread.on('exit', onExit)
    thread.postMessage(request)
  })

/**
 * Decodes the primary image of a HEIC/HEIF file to RGBA off the main thread. Past `timeoutMs` the answer
 * is `timeout` and the thread is terminated (libheif's decoder cannot be interrupted otherwise); the
 * next decode starts a fresh one.
 */
export const decodeHeicOffThread = async (
  bytes: Buffer,
  maxPixels: number,
  timeoutMs: number,
): Promise<DecodedHeic> => {
  const thread = idle.values().next().value ?? startDecoder()
  idle.delete(thread)
  thread.ref()
  let answer: HeicAnswer | 'timeout'
  try {
    answer = await ask(thread, { id: nextId++, bytes, maxPixels }, timeoutMs)
  } catch (error) {
    await thread.terminate()
    throw error
  }
  if (answer === 'timeout') {
    await thread.terminate()
    return { ok: false, problem: 'timeout' }
  }
  // An idle thread must not keep the process alive (a CLI command, a test run must be able to exit).
  thread.unref()
  idle.add(thread)
  const { id: _, ...decoded } = answer
  return decoded
}
