/**
 * In-process "there is new work" signal: a service calls `notify()` after committing a transaction
 * that enqueued a job, and an in-process worker looks for it at once instead of at its next poll.
 * Workers in other processes still find the job by polling.
 */
export class JobSignal {
  readonly #listeners = new Set<() => void>()

  notify(): void {
    for (const listener of this.#listeners) listener()
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }
}
