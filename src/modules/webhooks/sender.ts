import http, { type IncomingMessage } from 'node:http'
import https from 'node:https'
import { isIP } from 'node:net'
import { hostnameOf, type LookupAll, OutboundBlockedError, resolveTarget } from './outbound-guard.ts'

export type SenderOptions = {
  timeoutMs: number
  allowPrivateNetworks: boolean
  /** Replaces DNS (tests). */
  lookup?: LookupAll
}

type SendResult = {
  /** HTTP status, or null when no answer came (network error, timeout, refused target). */
  status: number | null
  /** At most MAX_RESPONSE_BYTES of the answer, as text. */
  responseBody: string | null
  retryAfter: string | undefined
  error: string | null
  /** The outbound guard refused the target: no connection was made. */
  blocked: boolean
  durationMs: number
}

/** Only an excerpt of the answer is read (for the logs); the rest is never buffered. */
const MAX_RESPONSE_BYTES = 4096

const readExcerpt = (response: IncomingMessage): Promise<{ text: string; complete: boolean }> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const finish = (complete: boolean) => {
      response.off('data', onData)
      resolve({ text: Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BYTES).toString('utf8'), complete })
    }
    const onData = (chunk: Buffer) => {
      chunks.push(chunk)
      size += chunk.length
      if (size >= MAX_RESPONSE_BYTES) finish(false)
    }
    response.on('data', onData)
    response.once('end', () => finish(true))
    response.on('error', reject)
  })

const abortable = <T>(promise: Promise<T>, signal: AbortSignal): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason)
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })

/**
 * POSTs one webhook. The whole exchange (DNS, connect, headers, the excerpt of the body) shares one
 * deadline. Redirects are not followed: a 3xx is the receiver's answer, and following it would let a
 * public URL bounce the request to a private address past the guard.
 */
export const postWebhook = async (
  target: { url: string; headers: Record<string, string>; body: string },
  options: SenderOptions,
  signal?: AbortSignal,
): Promise<SendResult> => {
  const started = performance.now()
  const elapsed = () => Math.round(performance.now() - started)
  const url = new URL(target.url)
  const hostname = hostnameOf(url)
  // One controller, a timer and a listener: AbortSignal.timeout with AbortSignal.any cost a measurable
  // share of a delivery's CPU (the composite signal is tracked for garbage collection).
  const deadline = new AbortController()
  const combined = deadline.signal
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    deadline.abort(new Error(`timed out after ${options.timeoutMs} ms`))
  }, options.timeoutMs)
  const stop = () => deadline.abort(signal?.reason)
  if (signal?.aborted) stop()
  else signal?.addEventListener('abort', stop, { once: true })
  try {
    const { address, family } = await abortable(
      resolveTarget(hostname, options.allowPrivateNetworks, options.lookup),
      combined,
    )
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const transport = url.protocol === 'https:' ? https : http
      const request = transport.request(
        {
          // Connect to the address that was checked, never to a second resolution of the name.
          host: address,
          family,
          port: url.port || (url.protocol === 'https:' ? 443 : 80),
          path: `${url.pathname}${url.search}`,
          method: 'POST',
          headers: { ...target.headers, host: url.host, 'content-length': Buffer.byteLength(target.body) },
          // TLS still checks the certificate against the name in the URL.
          ...(isIP(hostname) ? {} : { servername: hostname }),
          signal: combined,
        },
        resolve,
      )
      request.on('error', reject)
      request.end(target.body)
    })
    const excerpt = await abortable(readExcerpt(response), combined)
    if (!excerpt.complete) response.destroy()
    const retryAfter = response.headers['retry-after']
    return {
      status: response.statusCode ?? null,
      responseBody: excerpt.text,
      retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
      error: null,
      blocked: false,
      durationMs: elapsed(),
    }
  } catch (error) {
    const message = timedOut
      ? `timed out after ${options.timeoutMs} ms`
      : error instanceof Error
        ? error.message
        : String(error)
    return {
      status: null,
      responseBody: null,
      retryAfter: undefined,
      error: message,
      blocked: error instanceof OutboundBlockedError,
      durationMs: elapsed(),
    }
  } finally {
    clearTimeout(timer)
    signal?.removeEventListener('abort', stop)
  }
}

type Verdict = 'success' | 'retry' | 'fail' | 'gone'

/**
 * What an attempt's result means: 2xx delivered; network errors, timeouts, 408, 429 and 5xx are worth
 * another try; 410 means the receiver is gone for good; any other answer (3xx, 4xx) or a refused target
 * will not change by retrying.
 */
export const verdictOf = (result: Pick<SendResult, 'status' | 'blocked'>): Verdict => {
  const { status } = result
  if (status === null) return result.blocked ? 'fail' : 'retry'
  if (status >= 200 && status < 300) return 'success'
  if (status === 410) return 'gone'
  if (status === 408 || status === 429 || status >= 500) return 'retry'
  return 'fail'
}
