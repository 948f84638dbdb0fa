import type BetterSqlite3 from 'better-sqlite3'
import pg from 'pg'

/**
 * "A transaction that enqueued jobs has committed", per database, so that workers look for the job at
 * once instead of at their next poll, and no caller has to remember to wake them.
 *
 * The queue says it in SQL, inside the enqueuing statement's transaction:
 * `select pg_notify('verity_jobs', current_schema())`. PostgreSQL delivers a NOTIFY only when (and if)
 * its transaction commits, to every listening connection: workers in other processes wake too, and a
 * rolled back transaction wakes nobody. The payload is the schema, so databases that share a PostgreSQL
 * database (two regions, parallel test suites) wake only their own workers.
 *
 * SQLite has no NOTIFY: each connection registers functions of the same names with the same meaning,
 * and the driver fires the notifications after COMMIT (dropped on ROLLBACK). Only this process's
 * workers hear them; others poll. Firing earlier could not let a worker claim before the commit
 * anyway (SQLite has one connection, held by the transaction until it ends), but it would wake workers
 * for transactions that roll back.
 *
 * A lost notification costs a poll interval, never a job: the job row is the truth, the signal only a hint.
 */
export const JOBS_CHANNEL = 'verity_jobs'

export type CommitNotifications = {
  /** Calls `listener` after each commit that enqueued jobs (at least once; spurious calls are harmless). */
  subscribe(listener: () => void): () => void
}

class Listeners {
  readonly #listeners = new Set<() => void>()
  get size(): number {
    return this.#listeners.size
  }
  add(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }
  fire(): void {
    for (const listener of this.#listeners) listener()
  }
}

/** The SQLite side: the SQL functions the queue calls, and the hooks the driver calls around COMMIT. */
export type SqliteCommitNotifications = CommitNotifications & {
  afterCommit(): void
  afterRollback(): void
}

export const sqliteCommitNotifications = (database: BetterSqlite3.Database): SqliteCommitNotifications => {
  const listeners = new Listeners()
  let pending = false
  database.function('current_schema', () => 'main')
  database.function('pg_notify', (channel: unknown, _payload: unknown) => {
    if (channel !== JOBS_CHANNEL) return null
    // Outside a transaction the enqueuing statement has already committed on its own.
    if (database.inTransaction) pending = true
    else queueMicrotask(() => listeners.fire())
    return null
  })
  return {
    subscribe: (listener) => listeners.add(listener),
    afterCommit: () => {
      if (!pending) return
      pending = false
      listeners.fire()
    },
    afterRollback: () => {
      pending = false
    },
  }
}

const RECONNECT_DELAY_MS = 1_000

/**
 * The PostgreSQL side: one dedicated connection (outside the pool, which would hand it to queries)
 * LISTENs while anyone subscribes. When it (re)connects, listeners are called once, since anything
 * committed while it was away went unheard.
 */
export const postgresCommitNotifications = (
  connectionString: string,
): CommitNotifications & { close(): Promise<void> } => {
  const listeners = new Listeners()
  let client: pg.Client | undefined
  let reconnect: NodeJS.Timeout | undefined
  let closed = false

  const connect = (): void => {
    if (client || closed || listeners.size === 0) return
    const current = new pg.Client({ connectionString })
    client = current
    const retry = () => {
      if (client !== current) return
      client = undefined
      current.end().catch(() => {})
      reconnect ??= setTimeout(() => {
        reconnect = undefined
        connect()
      }, RECONNECT_DELAY_MS)
    }
    current.on('error', retry)
    current.on('end', retry)
    current
      .connect()
      .then(async () => {
        const { rows } = await current.query<{ schema: string }>('select current_schema() as schema')
        const schema = rows[0]?.schema
        current.on('notification', (notification) => {
          if (notification.channel === JOBS_CHANNEL && notification.payload === schema) listeners.fire()
        })
        await current.query(`listen ${JOBS_CHANNEL}`)
        listeners.fire()
      })
      .catch(retry)
  }

  return {
    subscribe: (listener) => {
      const unsubscribe = listeners.add(listener)
      connect()
      return () => {
        unsubscribe()
        if (listeners.size > 0) return
        const current = client
        client = undefined
        current?.end().catch(() => {})
      }
    },
    close: async () => {
      closed = true
      clearTimeout(reconnect)
      const current = client
      client = undefined
      await current?.end().catch(() => {})
    },
  }
}
