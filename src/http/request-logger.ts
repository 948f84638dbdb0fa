import type { FastifyBaseLogger } from 'fastify'
import type { Bindings, ChildLoggerOptions, Level } from 'pino'
import type { Logger } from '../lib/logger.ts'

/**
 * A request's logger, made when the request first writes a line. Fastify gives every request a pino
 * child (for its request id) and authentication then binds the client and the user to it; pino
 * serializes and redacts the bindings at each of those steps, about a twentieth of a simple request's
 * CPU, although most requests write one line (at info) or none (above it). The bindings are gathered
 * here instead, and the pino child is made once, with all of them, on the first line written.
 */
export class RequestLogger implements FastifyBaseLogger {
  readonly #parent: Logger
  readonly #bindings: Bindings
  #child: Logger | undefined

  private constructor(parent: Logger, bindings: Bindings) {
    this.#parent = parent
    this.#bindings = { ...bindings }
  }

  /** Fastify's childLoggerFactory. A route's own level or serializers need a real child at once. */
  static forRequest(parent: Logger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
    if (options.level !== undefined || options.serializers !== undefined)
      return parent.child(bindings, options)
    return new RequestLogger(parent, bindings)
  }

  get #logger(): Logger {
    this.#child ??= this.#parent.child(this.#bindings)
    return this.#child
  }

  /** Adds fields to every line this request writes (as pino's setBindings). */
  setBindings(bindings: Bindings): void {
    if (this.#child) this.#child.setBindings(bindings)
    else Object.assign(this.#bindings, bindings)
  }

  get level(): string {
    return (this.#child ?? this.#parent).level
  }

  set level(level: string) {
    this.#logger.level = level
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#logger.child(bindings, options)
  }

  #write(level: Level, args: unknown[]): void {
    if (!(this.#child ?? this.#parent).isLevelEnabled(level)) return
    const logger = this.#logger
    ;(logger[level] as (...line: unknown[]) => void).apply(logger, args)
  }

  fatal(...args: unknown[]): void {
    this.#write('fatal', args)
  }
  error(...args: unknown[]): void {
    this.#write('error', args)
  }
  warn(...args: unknown[]): void {
    this.#write('warn', args)
  }
  info(...args: unknown[]): void {
    this.#write('info', args)
  }
  debug(...args: unknown[]): void {
    this.#write('debug', args)
  }
  trace(...args: unknown[]): void {
    this.#write('trace', args)
  }
  silent(): void {}
}

/** The request logger's bindings, whichever kind Fastify made for the route. */
export const bindToRequestLog = (log: FastifyBaseLogger, bindings: Bindings): void => {
  ;(log as RequestLogger | Logger).setBindings(bindings)
}
