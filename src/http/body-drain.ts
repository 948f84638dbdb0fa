import type { IncomingMessage } from 'node:http'
import type { FastifyInstance } from 'fastify'

export type DrainLimits = { maxBytes: number; maxMs: number }

/** Past a 15 MB photo and its multipart framing, and past what a slow phone line sends in that time. */
export const DRAIN_LIMITS: DrainLimits = { maxBytes: 32 * 1024 * 1024, maxMs: 30_000 }

/**
 * Reads and discards the rest of a request body, then closes the connection gracefully. Beyond the
 * limits the connection is simply destroyed: draining is a courtesy, not something to be abused.
 */
const drain = (incoming: IncomingMessage, limits: DrainLimits): void => {
  const socket = incoming.socket
  let read = 0
  const timer = setTimeout(() => socket.destroy(), limits.maxMs)
  timer.unref()
  const onData = (chunk: Buffer) => {
    read += chunk.length
    if (read > limits.maxBytes) {
      clearTimeout(timer)
      socket.destroy()
    }
  }
  incoming.on('data', onData)
  incoming.once('end', () => {
    clearTimeout(timer)
    socket.end()
  })
  incoming.once('close', () => clearTimeout(timer))
  incoming.resume()
}

/**
 * An answer given before the body was read (413, or any refusal of a large upload) used to close the
 * connection at once. A client still sending — a phone posting a 20 MB photo, a browser that reads
 * only after it has sent everything — then had its writes reset and never saw the answer, only a
 * network error. The connection is kept open while the rest of the body is read and discarded, within
 * bounds, and closed after.
 */
export const registerBodyDrain = (app: FastifyInstance, limits: DrainLimits = DRAIN_LIMITS): void => {
  app.addHook('onSend', (request, reply, _payload, done) => {
    const incoming = request.raw
    if (incoming.complete || typeof incoming.socket?.destroy !== 'function') return done()
    // An explicit keep-alive is what stops Node from closing the socket right after the answer;
    // the drain closes it once the body has been read.
    reply.header('connection', 'keep-alive')
    drain(incoming, limits)
    done()
  })
}
