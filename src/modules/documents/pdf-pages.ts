import { type ChildProcess, fork } from 'node:child_process'
import { readFileSync } from 'node:fs'
import type { PageImage, PdfContents } from './pdf-contents.ts'
import type { PdfChildAnswer, PdfChildRequest, PdfContentsAnswer, PdfPageAnswer } from './pdf-page-child.ts'

/**
 * What a PDF may cost to show (a user's upload: any size, any content). Pages past `maxPages` are not
 * shown; a page is drawn at up to `scale` pixels per point (≈108 dpi) within `maxPixels` (an A4 page
 * at that scale is 1.1 MP); a render that takes longer than `timeoutMs` is stopped.
 */
export const PDF_PAGE_LIMITS = { maxPages: 5, maxPixels: 4_000_000, scale: 1.5, timeoutMs: 10_000 }

/**
 * What reading a PDF's contents (text layer and scanned pictures, readPdfContents) may cost; the caller
 * gives its own. Every read is also bounded by the renderer's memory budget.
 */
export type PdfContentsLimits = { maxPages: number; maxPixels: number; timeoutMs: number }

/**
 * Requests (renders, contents reads) at once in this process or thread (an analysis thread has its
 * own), and requests waiting for one of them (beyond that: `busy`).
 */
const RENDER_SLOTS = 2
const RENDER_QUEUE = 20

/**
 * The most a renderer process may hold in memory (its resident set) while it draws; past it, it is
 * killed. Measured: a warm renderer holds ≈ 120 MB, and drawing a scanned A4 page of 4 MP (the largest
 * picture PDF.js is allowed to decode) peaks at 165–210 MB; this leaves such a page almost twice its
 * need, and two renders at once stay under 800 MB whatever the file.
 */
const RENDERER_MEMORY_BUDGET = 384 * 1024 * 1024
/** A renderer left holding more than this after a render is not kept: the next page would start there. */
const RENDERER_KEPT_BELOW = 256 * 1024 * 1024
const MEMORY_POLL_MS = 50

export type PdfProblem = 'unreadable' | 'no-such-page' | 'timeout' | 'busy'
export type { PageImage, PdfContents }
export type PdfContentsRead = ({ ok: true } & PdfContents) | { ok: false; problem: PdfProblem }
export type PdfPageCount = { ok: true; pages: number } | { ok: false; problem: PdfProblem }
export type PdfPagePicture =
  | { ok: true; pages: number; png: Buffer; width: number; height: number }
  | { ok: false; problem: PdfProblem }

type Renderer = { child: ChildProcess; ready: Promise<boolean>; exited: Promise<void> }

/** Renderers waiting for work; one that was killed or died is forgotten and replaced when next needed. */
const idle = new Set<Renderer>()
let running = 0
const waiting: (() => void)[] = []
let nextId = 0

const startRenderer = (): Renderer => {
  const child = fork(new URL('./pdf-page-child.ts', import.meta.url), {
    // Uint8Arrays cross as they are (JSON would turn them into objects of numbers).
    serialization: 'advanced',
    // Nothing of the server's reaches it: no environment (secrets, database addresses), no flags.
    env: {},
    // PDF.js's heap; the native memory beyond it is what the parent watches.
    execArgv: ['--max-old-space-size=256'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const ready = new Promise<boolean>((resolve) => {
    child.once('message', (message) => resolve(message === 'ready'))
    child.once('exit', () => resolve(false))
    // Before 'ready', an error is a spawn that failed (no 'exit' follows); later ones are sends that
    // failed, which the request that sent learns itself.
    child.on('error', () => resolve(false))
  })
  const renderer = { child, ready, exited }
  child.once('exit', () => idle.delete(renderer))
  return renderer
}

/** An idle renderer does not keep the server running; it exits when the server's IPC end closes. */
const holdOpen = (renderer: Renderer, busy: boolean) => {
  if (busy) {
    renderer.child.ref()
    renderer.child.channel?.ref()
  } else {
    renderer.child.unref()
    renderer.child.channel?.unref()
  }
}

/**
 * Read synchronously (≈ 30 µs), so never queued behind the libuv thread pool's work (image
 * decoding, hashing), which could otherwise let a renderer grow unwatched for as long as that takes.
 */
const residentBytes = (pid: number): number | undefined => {
  let status: string
  try {
    status = readFileSync(`/proc/${pid}/status`, 'latin1')
  } catch {
    return undefined
  }
  const kilobytes = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]
  return kilobytes === undefined ? undefined : Number(kilobytes) * 1024
}

let memoryWatchable: boolean | undefined
/** Whether this system shows a process's resident set (Linux's /proc); said once when it does not. */
const canWatchMemory = () => {
  if (memoryWatchable === undefined) {
    memoryWatchable = residentBytes(process.pid) !== undefined
    if (!memoryWatchable)
      process.emitWarning(
        'PDF renderer: /proc/<pid>/status is not readable here, so a render is bounded by its deadline only, not by memory',
      )
  }
  return memoryWatchable
}

type Outcome<Answer> = Answer | 'timeout' | 'over-budget' | 'died'

/** Sends the request and waits for its answer, the deadline, the memory budget or the renderer's death. */
const ask = <Answer extends PdfChildAnswer>(
  renderer: Renderer,
  request: PdfChildRequest,
  timeoutMs: number,
) =>
  new Promise<Outcome<Answer>>((resolve) => {
    const { child } = renderer
    let settled = false
    let stopPolling = () => {}
    const settle = (outcome: Outcome<Answer>) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      stopPolling()
      child.off('message', onMessage)
      child.off('exit', onExit)
      resolve(outcome)
    }
    const onMessage = (answer: Answer) => {
      if (answer.id === request.id) settle(answer)
    }
    const onExit = () => settle('died')
    const timer = setTimeout(() => settle('timeout'), timeoutMs)
    child.on('message', onMessage)
    child.on('exit', onExit)
    void renderer.ready.then((ready) => {
      if (!ready) return settle('died')
      if (!settled) child.send(request, (error) => error && settle('died'))
    })
    const { pid } = child
    if (pid === undefined || !canWatchMemory()) return
    const poll = setInterval(() => {
      const bytes = residentBytes(pid)
      if (bytes !== undefined && bytes > RENDERER_MEMORY_BUDGET) settle('over-budget')
    }, MEMORY_POLL_MS)
    stopPolling = () => clearInterval(poll)
  })

const inSlot = async <T>(work: () => Promise<T>): Promise<T | 'busy'> => {
  if (running >= RENDER_SLOTS && waiting.length >= RENDER_QUEUE) return 'busy'
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

const stop = async (renderer: Renderer) => {
  idle.delete(renderer)
  // Waiting for its exit means its memory is given back before the next render starts.
  if (renderer.child.kill('SIGKILL')) await renderer.exited
}

/**
 * Runs the request in an idle renderer (or a new one) within the deadline and the memory budget.
 * `undefined`: the renderer was killed (over budget) or died (the file brought PDF.js down); either
 * way, not a PDF that can be read.
 */
const inRenderer = <Answer extends PdfChildAnswer>(
  request: PdfChildRequest,
  timeoutMs: number,
): Promise<Answer | 'timeout' | 'busy' | undefined> =>
  inSlot(async () => {
    const renderer = idle.values().next().value ?? startRenderer()
    idle.delete(renderer)
    holdOpen(renderer, true)
    const outcome = await ask<Answer>(renderer, request, timeoutMs)
    if (outcome === 'timeout' || outcome === 'over-budget' || outcome === 'died') {
      await stop(renderer)
      return outcome === 'timeout' ? 'timeout' : undefined
    }
    const left = renderer.child.pid === undefined ? undefined : residentBytes(renderer.child.pid)
    if (left !== undefined && left > RENDERER_KEPT_BELOW) await stop(renderer)
    else {
      holdOpen(renderer, false)
      idle.add(renderer)
    }
    return outcome
  })

/** A Buffer would cross as a Buffer, which PDF.js refuses; a plain view crosses as its bytes only. */
const plain = (bytes: Uint8Array) => new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)

const render = async (bytes: Uint8Array, page: number, limits: typeof PDF_PAGE_LIMITS) => {
  const answer = await inRenderer<PdfPageAnswer>(
    {
      kind: 'page',
      id: nextId++,
      bytes: plain(bytes),
      page,
      maxPixels: limits.maxPixels,
      scale: limits.scale,
    },
    limits.timeoutMs,
  )
  return answer ?? ({ id: -1, ok: false, problem: 'unreadable' } satisfies PdfPageAnswer)
}

/** How many pages the PDF has (opened in a renderer process, within the limits). */
export const countPdfPages = async (bytes: Uint8Array, limits = PDF_PAGE_LIMITS): Promise<PdfPageCount> => {
  const answer = await render(bytes, 0, limits)
  if (answer === 'timeout' || answer === 'busy') return { ok: false, problem: answer }
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
  if (answer === 'timeout' || answer === 'busy') return { ok: false, problem: answer }
  if (!answer.ok || !answer.png) return { ok: false, problem: answer.ok ? 'unreadable' : answer.problem }
  return {
    ok: true,
    pages: answer.pages,
    png: Buffer.from(answer.png.buffer, answer.png.byteOffset, answer.png.byteLength),
    width: answer.width,
    height: answer.height,
  }
}

/**
 * The text layer of the PDF's first `limits.maxPages` pages and, for the pages without one (a scan),
 * the largest picture on each, decoded to raw pixels (none larger than `limits.maxPixels`), read in a
 * renderer process: a file whose pictures would take more than the renderer's memory budget, or more
 * than `limits.timeoutMs`, is not read.
 */
export const readPdfContents = async (
  bytes: Uint8Array,
  limits: PdfContentsLimits,
): Promise<PdfContentsRead> => {
  const answer = await inRenderer<PdfContentsAnswer>(
    {
      kind: 'contents',
      id: nextId++,
      bytes: plain(bytes),
      maxPages: limits.maxPages,
      maxPixels: limits.maxPixels,
    },
    limits.timeoutMs,
  )
  if (answer === 'timeout' || answer === 'busy') return { ok: false, problem: answer }
  if (!answer?.ok) return { ok: false, problem: 'unreadable' }
  return { ok: true, pages: answer.pages, text: answer.text, images: answer.images }
}
