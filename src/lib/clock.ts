/** Time is a dependency: services read it from here so tests can move it. Epoch milliseconds. */
export type Clock = { now(): number }

export const HOUR_MS = 60 * 60 * 1000
export const DAY_MS = 24 * HOUR_MS

export const systemClock: Clock = { now: () => Date.now() }

/** An epoch-ms time as the API shows it (ISO 8601, UTC); a time not reached yet (null) stays null. */
export function isoTime(ms: number): string
export function isoTime(ms: number | null): string | null
export function isoTime(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString()
}

/** A clock tests can set and advance. */
export class ManualClock implements Clock {
  #now: number
  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#now = start
  }
  now(): number {
    return this.#now
  }
  set(ms: number): void {
    this.#now = ms
  }
  advance(ms: number): void {
    this.#now += ms
  }
}
