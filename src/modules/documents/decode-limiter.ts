import { AppError } from '../../lib/errors.ts'

/** What a refused upload is told to wait before trying again. */
export const DECODE_RETRY_AFTER_SECONDS = 5

/**
 * Bounds image decoding in this process. Decoding is what an upload costs (up to 200 MB of pixels and
 * seconds of CPU for a large photo), and files that are cheap to send can be dear to decode, so: at most
 * `slots` decodes run at once, at most `queue` more wait for a slot (beyond that, 503 with Retry-After
 * rather than an ever-growing pile of buffered uploads), and one session has at most one upload decoding
 * or waiting (a second one meanwhile is refused with 409), so one browser cannot take every slot.
 */
export class DecodeLimiter {
  private running = 0
  private readonly waiting: (() => void)[] = []
  private readonly sessions = new Set<string>()
  private readonly slots: number
  private readonly queue: number

  constructor(slots: number, queue: number) {
    this.slots = slots
    this.queue = queue
  }

  /** Uploads waiting for a slot (for the tests, and for a gauge if one is wanted). */
  get queued(): number {
    return this.waiting.length
  }

  /** Runs `work` in a decode slot for `sessionId`, waiting for one if need be. */
  async run<T>(sessionId: string, work: () => Promise<T>): Promise<T> {
    if (this.sessions.has(sessionId)) throw new AppError('UPLOAD_IN_PROGRESS')
    if (this.running >= this.slots && this.waiting.length >= this.queue)
      throw new AppError('UPLOADS_BUSY', {
        headers: { 'retry-after': String(DECODE_RETRY_AFTER_SECONDS) },
        body: { retryAfter: DECODE_RETRY_AFTER_SECONDS },
      })
    this.sessions.add(sessionId)
    try {
      if (this.running >= this.slots) await new Promise<void>((resolve) => this.waiting.push(resolve))
      else this.running += 1
      try {
        return await work()
      } finally {
        // The slot passes straight to the next in line (or is freed), so `running` never exceeds `slots`.
        const next = this.waiting.shift()
        if (next) next()
        else this.running -= 1
      }
    } finally {
      this.sessions.delete(sessionId)
    }
  }
}
