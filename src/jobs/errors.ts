/** Thrown by a handler whose job can never succeed: the job goes straight to `dead`. */
export class PermanentJobError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'PermanentJobError'
  }
}

/** Thrown by a handler that knows when to try again (e.g. an HTTP 429 with Retry-After). */
export class RetryJobLaterError extends Error {
  readonly delayMs: number

  constructor(message: string, delayMs: number) {
    super(message)
    this.name = 'RetryJobLaterError'
    this.delayMs = delayMs
  }
}
