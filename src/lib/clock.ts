/** Time is a dependency: services read it from here so tests can move it. Epoch milliseconds. */
export type Clock = { now(): number }

export const HOUR_MS = 60 * 60 * 1000
export const DAY_MS = 24 * HOUR_MS

export const systemClock: Clock = { now: () => Date.now() }

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
