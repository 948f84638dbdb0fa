import { Worker } from 'node:worker_threads'
import { AppError } from '../../lib/errors.ts'
import type { PdfPageAnswer, PdfPageRequest } from './pdf-page-worker.ts'

/**
 * What a PDF may cost to show (a user's upload: any size, any content). Pages past `maxPages` are not
 * shown; a page is drawn at up to `scale` pixels per point (≈108 dpi) within `maxPixels` (an A4 page
 * at that scale is 1.1 MP); a render that takes longer than `timeoutMs` is stopped.
 */
export const PDF_PAGE_LIMITS = { maxPages: 5, maxPixels: 4_000_000, scale: 1.5, timeoutMs: 10_000 }

/** Renders at once in this process, and renders waiting for one of them (beyond that: 503). */
const RENDER_SLOTS = 2
const RENDER_QUEUE = 20

export type PdfProblem = 'unreadable' | 'no-such-page' | 'timeout'
export type PdfPageCount = { ok: true; pages: number } | { ok: false; problem: PdfProblem }
export type PdfPagePicture =
  | { ok: true; pages: number; png: Buffer; width: number; height: number }
  | { ok: false; problem: PdfProblem }

/** Threads waiting for work; one that overran its deadline is terminated, not given back (see heic.ts). */
const idle = new Set<Worker>()
let running = 0
const waiting: (() => void)[] = []
let nextId = 0

const startRenderer = (): Worker => {
  const thread = new Worker(new URL('./pdf-page-worker.ts', import.meta.url), {
    // PDF.js's heap; the canvas's pixels are native memory, bounded by maxPixels.
    resourceLimits: { maxOldGenerationSizeMb: 256 },
  })
  thread.on('exit', () => idle.delete(thread))
  thread.on('error', () => idle.delete(thread))
  return thread
}

const ask = (thread: Worker, request: PdfPageRequest, timeoutMs: number) =>
  new Promise<PdfPageAnswer | 'timeout'>((resolve, reject) => {
    const settle = () => {
      clearTimeout(timer)
      thread.off('message', onMessage)
      thread.off('error', onError)
      thread.off('exit', onExit)
    }
    const onMessage = (answer: PdfPageAnswer) => {
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
      reject(new Error(`PDF renderer thread exited with code ${code}`))
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

const inSlot = async <T>(work: () => Promise<T>): Promise<T> => {
  if (running >= RENDER_SLOTS && waiting.length >= RENDER_QUEUE)
    throw new AppError('SERVICE_UNAVAILABLE', {
      message: 'Too many documents are being rendered; try again.',
    })
  if (running >= RENDER_SLOTS) await new Promise<void>((resolve) => waiting.push(resolve))
  else running += 1
  try {
    return await work()
  } finally {
    const next = waiting.shift()
    if (next) next()
    else running -= 1
  }
}

const render = (bytes: Uint8Array, page: number, limits: typeof PDF_PAGE_LIMITS) =>
  inSlot(async (): Promise<PdfPageAnswer | 'timeout'> => {
    const thread = idle.values().next().value ?? startRenderer()
    idle.delete(thread)
    thread.ref()
    let answer: PdfPageAnswer | 'timeout'
    try {
      // Posted as a copy (the thread's PDF.js takes ownership of what it is given).
      answer = await ask(
        thread,
        { id: nextId++, bytes, page, maxPixels: limits.maxPixels, scale: limits.scale },
        limits.timeoutMs,
      )
    } catch {
      // The thread died (out of memory, most likely): the file is what could not be read.
      await thread.terminate()
      return { id: -1, ok: false, problem: 'unreadable' }
    }
    if (answer === 'timeout') await thread.terminate()
    else {
      thread.unref()
      idle.add(thread)
    }
    return answer
  })

/** How many pages the PDF has (opened in a renderer thread, within the limits). */
export const countPdfPages = async (bytes: Uint8Array, limits = PDF_PAGE_LIMITS): Promise<PdfPageCount> => {
  const answer = await render(bytes, 0, limits)
  if (answer === 'timeout') return { ok: false, problem: 'timeout' }
  return answer.ok ? { ok: true, pages: answer.pages } : { ok: false, problem: answer.problem }
}

/**
 * Page `page` (from 1, at most `limits.maxPages`) of the PDF as a PNG: the only form in which a PDF a
 * user uploaded reaches a staff member's browser.
 */
export const renderPdfPage = async (
  bytes: Uint8Array,
  page: number,
  limits = PDF_PAGE_LIMITS,
): Promise<PdfPagePicture> => {
  if (!Number.isInteger(page) || page < 1 || page > limits.maxPages)
    return { ok: false, problem: 'no-such-page' }
  const answer = await render(bytes, page, limits)
  if (answer === 'timeout') return { ok: false, problem: 'timeout' }
  if (!answer.ok || !answer.png) return { ok: false, problem: answer.ok ? 'unreadable' : answer.problem }
  return {
    ok: true,
    pages: answer.pages,
    png: Buffer.from(answer.png.buffer, answer.png.byteOffset, answer.png.byteLength),
    width: answer.width,
    height: answer.height,
  }
}
