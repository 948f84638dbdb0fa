/**
 * The "at scale" database of `npm run bench`: BENCH_SCALE_USERS users (200,000 by default), each with a
 * live access token, and BENCH_SCALE_SESSIONS verification sessions (1,000,000) spread over them with
 * the state history their decisions imply (verification_state_transition, the users' verificationState
 * and version), all in the region the bench measures (intl).
 *
 * Rows are generated here (one deterministic generator for both dialects) and written straight through
 * the driver: multi-row INSERTs of prepared statements in one transaction per chunk on SQLite,
 * INSERT … SELECT FROM unnest(<one array per column>) on PostgreSQL. Then ANALYZE (PostgreSQL: VACUUM
 * ANALYZE), as an operator's maintenance would leave the planner statistics.
 *
 * The measured users (every stride-th user) have history only: sessions created 8 to 400 days ago, all
 * decided or expired, so every request the bench sends creates a session while the limits read the
 * rows of a realistic history. The other users also hold what a live system has: links issued or opened
 * in the last day, submissions awaiting their checks or a reviewer.
 */
import { randomUUID } from 'node:crypto'
import Database from 'better-sqlite3'
import pg from 'pg'
import type { Dialect } from '../src/db/database.ts'
import { DAY_MS, HOUR_MS } from '../src/lib/clock.ts'
import { newId } from '../src/lib/ids.ts'
import { generateSecret, hashSecret } from '../src/lib/tokens.ts'
import { newUserRow } from '../src/modules/users/index.ts'
import type { TestDatabaseTargets } from '../test/helpers/dialects.ts'

export type ScaleSize = { users: number; sessions: number }

/** BENCH_SCALE=0 skips the at-scale measures; BENCH_SCALE_USERS / BENCH_SCALE_SESSIONS size them. */
export const scaleSize = (env: NodeJS.ProcessEnv): ScaleSize | undefined =>
  env.BENCH_SCALE === '0'
    ? undefined
    : {
        users: Number(env.BENCH_SCALE_USERS ?? 200_000),
        sessions: Number(env.BENCH_SCALE_SESSIONS ?? 1_000_000),
      }

export type SeededScale = {
  /** Tokens of the measured users, spread evenly over all users. */
  tokens: string[]
  /** One more user like the measured ones, with a long history, for the query-plan capture. */
  planToken: string
  planUserSessions: number
  rows: { users: number; sessions: number; transitions: number; tokens: number }
  seconds: number
}

const MINUTE_MS = 60_000

type Row = Record<string, string | number | null>

/** Writes rows of one table at a time, in transactions of many rows. */
type BulkWriter = {
  transaction(write: () => Promise<void>): Promise<void>
  insert(table: string, rows: Row[]): Promise<void>
  analyze(): Promise<void>
  close(): Promise<void>
}

const SQLITE_ROWS_PER_STATEMENT = 400
const POSTGRES_ROWS_PER_STATEMENT = 20_000

const sqliteWriter = (file: string): BulkWriter => {
  const database = new Database(file)
  // The bench's own throw-away file: no need to survive a power cut while it is being filled.
  database.pragma('synchronous = OFF')
  // Random keys (UUIDs, token digests) land all over the indexes: with the default 2 MB cache, filling
  // them reads and writes the same pages again and again.
  database.pragma('cache_size = -524288')
  const statements = new Map<string, Database.Statement>()
  const statementFor = (table: string, columns: string[], count: number) => {
    const key = `${table}:${count}`
    let statement = statements.get(key)
    if (!statement) {
      const tuple = `(${columns.map(() => '?').join(', ')})`
      statement = database.prepare(
        `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values ${Array(count).fill(tuple).join(', ')}`,
      )
      statements.set(key, statement)
    }
    return statement
  }
  return {
    transaction: async (write) => {
      database.exec('begin')
      try {
        await write()
        database.exec('commit')
      } catch (error) {
        database.exec('rollback')
        throw error
      }
    },
    insert: async (table, rows) => {
      const columns = Object.keys(rows[0] as Row)
      for (let offset = 0; offset < rows.length; offset += SQLITE_ROWS_PER_STATEMENT) {
        const slice = rows.slice(offset, offset + SQLITE_ROWS_PER_STATEMENT)
        statementFor(table, columns, slice.length).run(slice.flatMap((row) => columns.map((c) => row[c])))
      }
    },
    analyze: async () => {
      database.exec('analyze')
    },
    close: async () => {
      database.close()
    },
  }
}

const postgresWriter = async (url: string): Promise<BulkWriter> => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  await client.query('set synchronous_commit = off')
  const arrayTypes = new Map<string, Map<string, string>>()
  const typesOf = async (table: string) => {
    let types = arrayTypes.get(table)
    if (!types) {
      const { rows } = await client.query<{ column_name: string; udt_name: string }>(
        'select column_name, udt_name from information_schema.columns where table_schema = current_schema() and table_name = $1',
        [table],
      )
      types = new Map(rows.map((row) => [row.column_name, `${row.udt_name}[]`]))
      arrayTypes.set(table, types)
    }
    return types
  }
  return {
    transaction: async (write) => {
      await client.query('begin')
      try {
        await write()
        await client.query('commit')
      } catch (error) {
        await client.query('rollback')
        throw error
      }
    },
    insert: async (table, rows) => {
      const columns = Object.keys(rows[0] as Row)
      const types = await typesOf(table)
      const arrays = columns.map((c, i) => `$${i + 1}::${types.get(c)}`).join(', ')
      const text = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) select * from unnest(${arrays})`
      for (let offset = 0; offset < rows.length; offset += POSTGRES_ROWS_PER_STATEMENT) {
        const slice = rows.slice(offset, offset + POSTGRES_ROWS_PER_STATEMENT)
        await client.query(
          text,
          columns.map((c) => slice.map((row) => row[c])),
        )
      }
    },
    analyze: async () => {
      // VACUUM too: a database in service has had its pages' hint bits and visibility map set long ago;
      // without it the first reads after the load would write them during the measurement.
      await client.query('vacuum analyze')
    },
    close: () => client.end(),
  }
}

/** mulberry32: the same data on every run and both dialects, without a dependency. */
const seededRandom = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

/** Sessions per user: skewed (many users with one or two, a few with dozens), summing to exactly `total`. */
const sessionCounts = (users: number, total: number, random: () => number): Uint16Array => {
  const mean = total / users
  const counts = new Uint16Array(users)
  let sum = 0
  for (let i = 0; i < users; i++) {
    const count = Math.min(200, Math.floor(-Math.log(1 - random()) * mean) + (random() < 0.5 ? 1 : 0))
    counts[i] = count
    sum += count
  }
  while (sum !== total) {
    const i = Math.floor(random() * users)
    if (sum < total) {
      counts[i] = (counts[i] as number) + 1
      sum += 1
    } else if ((counts[i] as number) > 0) {
      counts[i] = (counts[i] as number) - 1
      sum -= 1
    }
  }
  return counts
}

const REASONS: Record<'rejected' | 'resubmission_required', string> = {
  rejected: JSON.stringify([
    {
      code: 'FACE_MISMATCH',
      category: 'selfie',
      retryable: false,
      failureCode: '103',
      message: 'The face in the selfie does not match the document photo.',
    },
  ]),
  resubmission_required: JSON.stringify([
    {
      code: 'NO_FACE_FOUND',
      category: 'selfie',
      retryable: true,
      failureCode: '202',
      message: 'We could not find your face in the selfie. Please face the camera in good light.',
    },
  ]),
}

type UserState = 'UNVERIFIED' | 'PENDING' | 'VERIFIED' | 'REJECTED'
type Ending = 'expired' | 'abandoned' | 'approved' | 'rejected' | 'resubmission_required'

/** Decided history: never opened, abandoned, and the decisions' mix. */
const pastEnding = (random: () => number): Ending => {
  const draw = random()
  return draw < 0.25
    ? 'expired'
    : draw < 0.4
      ? 'abandoned'
      : draw < 0.8
        ? 'approved'
        : draw < 0.9
          ? 'resubmission_required'
          : 'rejected'
}

type Generated = { user: Row; sessions: Row[]; transitions: Row[]; token: Row; secret: string }

/** One user with its sessions in time order and the state changes they caused. */
const generateUser = (
  n: number,
  sessionCount: number,
  historyOnly: boolean,
  context: { clientId: string; passwordHash: string; now: number; random: () => number; sealed: string },
): Generated => {
  const { clientId, now, random } = context
  const userId = randomUUID()
  const createdAt = now - 400 * DAY_MS + Math.floor(random() * 10 * DAY_MS)
  const live = !historyOnly && sessionCount > 0 && random() < 0.2
  // Past the longest link lifetime (7 days), so every past session has run out.
  const historyEnd = now - 8 * DAY_MS
  const pastCount = live ? sessionCount - 1 : sessionCount
  const times = Array.from(
    { length: pastCount },
    () => createdAt + HOUR_MS + Math.floor(random() * (historyEnd - createdAt - HOUR_MS)),
  ).sort((a, b) => a - b)
  let state: UserState = 'UNVERIFIED'
  let version = 0
  let updatedAt = createdAt
  const sessions: Row[] = []
  const transitions: Row[] = []
  const transition = (to: UserState, cause: string, at: number, sessionId: string, reasons = '[]') => {
    version += 1
    transitions.push({
      id: newId('transition'),
      user_id: userId,
      version,
      from_state: state,
      to_state: to,
      cause,
      session_id: sessionId,
      reasons,
      identity_digest: cause.startsWith('decided') ? `d${n}x${version}`.padEnd(43, 'A') : null,
      created_at: at,
    })
    state = to
    updatedAt = at
  }
  const session = (
    at: number,
    ending: Ending | 'issued' | 'opened' | 'checking' | 'review',
    index: number,
  ) => {
    const id = newId('session')
    const kind = index === 0 && random() < 0.5 ? 'onboarding' : 'user'
    const expiresAt = at + (kind === 'user' ? DAY_MS : 7 * DAY_MS)
    const openedAt =
      ending === 'expired' || ending === 'issued' ? null : at + Math.floor(random() * 30 * MINUTE_MS)
    const submitted = !['expired', 'abandoned', 'issued', 'opened'].includes(ending)
    const submittedAt = submitted
      ? (openedAt as number) + 2 * MINUTE_MS + Math.floor(random() * 10 * MINUTE_MS)
      : null
    const decided = ending === 'approved' || ending === 'rejected' || ending === 'resubmission_required'
    const outcomeAt =
      ending === 'abandoned'
        ? expiresAt
        : decided || ending === 'review'
          ? (submittedAt as number) +
            5_000 +
            Math.floor(random() * (ending === 'review' ? HOUR_MS : MINUTE_MS))
          : null
    const reverifying = submitted && state === 'VERIFIED'
    if (submitted && !reverifying) transition('PENDING', 'submitted', submittedAt as number, id)
    if (ending === 'approved' && state !== 'VERIFIED')
      transition('VERIFIED', 'decided:VERIFIED', outcomeAt as number, id)
    if (ending === 'rejected')
      transition('REJECTED', 'decided:REJECTED', outcomeAt as number, id, REASONS.rejected)
    if (ending === 'resubmission_required' && state === 'PENDING')
      transition(
        'UNVERIFIED',
        'resubmission_required',
        outcomeAt as number,
        id,
        REASONS.resubmission_required,
      )
    sessions.push({
      id,
      client_id: clientId,
      user_id: userId,
      kind,
      status:
        ending === 'issued' || ending === 'opened'
          ? ending
          : ending === 'expired' || ending === 'abandoned'
            ? 'expired'
            : 'submitted',
      outcome:
        ending === 'approved' ||
        ending === 'rejected' ||
        ending === 'resubmission_required' ||
        ending === 'abandoned' ||
        ending === 'review'
          ? ending
          : null,
      reasons: ending === 'rejected' || ending === 'resubmission_required' ? REASONS[ending] : '[]',
      created_at: at,
      expires_at: expiresAt,
      opened_at: openedAt,
      submitted_at: submittedAt,
      outcome_at: outcomeAt,
      reverification: reverifying ? 1 : 0,
      identity_sealed: submitted ? context.sealed : null,
      identity_digest: submitted ? `i${n}x${index}`.padEnd(43, 'A') : null,
      identity_includes_address: submitted && random() < 0.3 ? 1 : 0,
    })
  }
  for (const [index, at] of times.entries()) session(at, pastEnding(random), index)
  if (live) {
    const draw = random()
    session(
      now - Math.floor(random() * 20 * HOUR_MS) - MINUTE_MS,
      draw < 0.6 ? 'issued' : draw < 0.85 ? 'opened' : draw < 0.95 ? 'checking' : 'review',
      pastCount,
    )
  }
  const secret = generateSecret('INTL_')
  const country = (['GB', 'FR', 'DE', 'ES', 'IT', 'NL', 'IE', 'PT'] as const)[n % 8] as string
  return {
    user: newUserRow({
      id: userId,
      client_id: clientId,
      onboarding_id: randomUUID(),
      email: `scale${n}@example.com`,
      password_hash: context.passwordHash,
      country_of_residence: country,
      phone_country_code: '+44',
      phone_number: `7${String(n).padStart(9, '0')}`,
      phone_verified_at: createdAt + MINUTE_MS,
      first_name: 'Scale',
      last_name: `User${n}`,
      date_of_birth: `19${50 + (n % 50)}-0${1 + (n % 9)}-1${n % 10}`,
      country_of_nationality: country,
      address_line1: `${1 + (n % 300)} High St`,
      city: 'Leeds',
      zip: 'LS1 1AA',
      registration_completed_at: createdAt + 5 * MINUTE_MS,
      verification_state: state,
      state_version: version,
      created_at: createdAt,
      updated_at: updatedAt,
    }) as Row,
    sessions,
    transitions,
    token: {
      id: hashSecret(secret),
      user_id: userId,
      client_id: clientId,
      created_at: now - Math.floor(random() * 5 * HOUR_MS),
      expires_at: now + 6 * HOUR_MS,
      revoked_at: null,
    },
    secret,
  }
}

const USERS_PER_TRANSACTION = 5000
const PLAN_USER_SESSIONS = 20

/**
 * Fills the intl database of `storage` (migrated, with the client) at scale. `measured` users get
 * tokens handed back; they are spread evenly over all users.
 */
export const seedAtScale = async (
  dialect: Dialect,
  storage: TestDatabaseTargets,
  options: ScaleSize & { clientId: string; passwordHash: string; measured: number },
): Promise<SeededScale> => {
  const started = performance.now()
  const intl = storage.targets.intl
  const writer = intl.dialect === 'sqlite' ? sqliteWriter(intl.file) : await postgresWriter(intl.url)
  const random = seededRandom(15)
  const counts = sessionCounts(options.users, options.sessions, random)
  // One more history-only user than measured: the query-plan capture's.
  const stride = Math.max(1, Math.floor(options.users / (options.measured + 1)))
  // The explained user has a long history (its statements read the most rows): it trades its count with
  // the first user who has at least PLAN_USER_SESSIONS, so the total stays exact.
  const planUser = options.measured * stride
  const long = counts.findIndex((count) => count >= PLAN_USER_SESSIONS)
  if (long >= 0) [counts[planUser], counts[long]] = [counts[long] as number, counts[planUser] as number]
  const context = {
    clientId: options.clientId,
    passwordHash: options.passwordHash,
    now: Date.now(),
    random,
    // A sealed identity is about this long (AES-GCM of the JSON identity, base64url).
    sealed: Buffer.alloc(420, 7).toString('base64url'),
  }
  const tokens: string[] = []
  const rows = { users: 0, sessions: 0, transitions: 0, tokens: 0 }
  try {
    for (let first = 0; first < options.users; first += USERS_PER_TRANSACTION) {
      const generated: Generated[] = []
      for (let n = first; n < Math.min(options.users, first + USERS_PER_TRANSACTION); n++) {
        const measured = n % stride === 0 && n / stride <= options.measured
        const user = generateUser(n, counts[n] as number, measured, context)
        if (measured) tokens.push(user.secret)
        generated.push(user)
      }
      const sessions = generated.flatMap((g) => g.sessions)
      const transitions = generated.flatMap((g) => g.transitions)
      await writer.transaction(async () => {
        await writer.insert(
          'app_user',
          generated.map((g) => g.user),
        )
        await writer.insert(
          'access_token',
          generated.map((g) => g.token),
        )
        if (sessions.length > 0) await writer.insert('verification_session', sessions)
        if (transitions.length > 0) await writer.insert('verification_state_transition', transitions)
      })
      rows.users += generated.length
      rows.tokens += generated.length
      rows.sessions += sessions.length
      rows.transitions += transitions.length
      process.stderr.write(`\r[${dialect}] seeded ${rows.users.toLocaleString('en')} users…`)
    }
    await writer.analyze()
  } finally {
    await writer.close()
  }
  process.stderr.write('\n')
  const planToken = tokens.pop() as string
  return {
    tokens,
    planToken,
    planUserSessions: counts[planUser] as number,
    rows,
    seconds: Math.round((performance.now() - started) / 100) / 10,
  }
}
