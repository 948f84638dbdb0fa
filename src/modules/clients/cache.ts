import type { Client } from './model.ts'

/**
 * Every /v1 request looks its client up by key; a short-lived in-process cache takes that off the
 * database. Changes made in this process invalidate at once; changes made elsewhere (the CLI, another
 * API process) take effect within `ttlMs`. Measured in real (monotonic) time: staleness is an
 * operational bound, not domain time.
 */
export class ClientCache {
  readonly #entries = new Map<string, { client: Client; at: number }>()
  readonly ttlMs: number

  constructor(ttlMs = 2_000) {
    this.ttlMs = ttlMs
  }

  get(clientKey: string): Client | undefined {
    const entry = this.#entries.get(clientKey)
    if (!entry) return undefined
    if (performance.now() - entry.at > this.ttlMs) {
      this.#entries.delete(clientKey)
      return undefined
    }
    return entry.client
  }

  set(client: Client): void {
    if (this.#entries.size > 10_000) this.#entries.clear()
    this.#entries.set(client.clientKey, { client, at: performance.now() })
  }

  invalidate(client: Pick<Client, 'clientKey'>): void {
    this.#entries.delete(client.clientKey)
  }
}
