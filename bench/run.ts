/**
 * `npm run bench`: throughput and latency of GET /v1/user and GET /v1/user/verification against a bare
 * Fastify route measured in the same run, then webhook delivery (bench/webhooks.ts), on SQLite and (when
 * reachable) PostgreSQL. Writes docs/benchmarks.md. The server and the baseline each run in their own process; the load generator
 * (autocannon) runs here. Then the automated checks (bench/checks.ts). Ratios matter more than absolute numbers on a shared 2-core machine.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import os from 'node:os'
import autocannon from 'autocannon'
import pg from 'pg'
import { type Config, loadConfig } from '../src/config/config.ts'
import type { Dialect } from '../src/db/database.ts'
import { createLogger } from '../src/lib/logger.ts'
import { generateSecret, hashSecret } from '../src/lib/tokens.ts'
import { hashPassword } from '../src/modules/auth/index.ts'
import { createClient } from '../src/modules/clients/index.ts'
import { newUserRow } from '../src/modules/users/index.ts'
import { openRuntime } from '../src/runtime.ts'
import { createTestDatabaseTargets, type TestDatabaseTargets } from '../test/helpers/dialects.ts'
import { benchChecks, checksSection } from './checks.ts'
import { type ExplainedRequest, explainHotQueries } from './query-plans.ts'
import { type DialectMeasured as ScaleMeasured, scaleSection, scaleVerdicts } from './scale-report.ts'
import { type ScaleSize, type SeededScale, scaleSize, seedAtScale } from './scale-seed.ts'
import { benchStart, type StartMeasured, startSection } from './start.ts'
import { targetsSection } from './targets.ts'
import { benchWebhooks, WEBHOOK_CONCURRENCY, type WebhookMeasured } from './webhooks.ts'

const USERS = Number(process.env.BENCH_USERS ?? 6000)
const DURATION_S = Number(process.env.BENCH_DURATION ?? 4)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10)
const SCALE = scaleSize(process.env)
const PG_URL =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/postgres'

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })

const waitForHttp = async (url: string) => {
  for (let i = 0; i < 200; i++) {
    try {
      await fetch(url)
      return
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  throw new Error(`${url} did not come up`)
}

const start = (args: string[], env: Record<string, string>): ChildProcess =>
  spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] })

const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })

type Measured = { rps: number; p50: number; p99: number; non2xx: number; total: number }

const run = (options: autocannon.Options): Promise<Measured> =>
  new Promise((resolve, reject) => {
    const started = performance.now()
    let lastResponse = started
    const instance = autocannon({ connections: CONNECTIONS, ...options }, (error, result) => {
      if (error) return reject(error)
      resolve({
        // A run of a fixed number of requests lasts a few seconds, and autocannon ends it (and its
        // duration) on a whole-second tick, so 4,000 requests read as 1,000, 1,333 or 667/s: count them
        // over the time until the last response instead.
        rps: Math.round(
          options.amount
            ? result.requests.total / ((lastResponse - started) / 1000)
            : result.requests.average,
        ),
        p50: result.latency.p50,
        p99: result.latency.p99,
        non2xx: result.non2xx,
        total: result.requests.total,
      })
    })
    instance.on('response', () => {
      lastResponse = performance.now()
    })
  })

const middle = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number
const median = (rounds: Measured[]): Measured => ({
  rps: middle(rounds.map((m) => m.rps)),
  p50: middle(rounds.map((m) => m.p50)),
  p99: middle(rounds.map((m) => m.p99)),
  non2xx: rounds.reduce((sum, m) => sum + m.non2xx, 0),
  total: rounds.reduce((sum, m) => sum + m.total, 0),
})

/** Rotates one header per request through the given values. */
const rotating = (clientKey: string, tokens: string[], cursor = { next: 0 }) => {
  return [
    {
      setupRequest: (request: autocannon.Request) => {
        const token = tokens[cursor.next % tokens.length] as string
        cursor.next += 1
        return { ...request, headers: { 'x-client-key': clientKey, authorization: `Bearer ${token}` } }
      },
    },
  ]
}

/** How the measured server is configured; the query-plan capture opens the runtime the same way. */
const serverEnv = (storage: TestDatabaseTargets, secret: string) => ({
  NODE_ENV: 'test',
  DATA_DIR: storage.dataDir,
  SERVER_SECRET: secret,
  LOG_LEVEL: 'warn',
  DEMO_CLIENT: 'false',
  MIGRATE_ON_BOOT: 'false',
  ...storage.env,
})

type Prepared = {
  storage: TestDatabaseTargets
  secret: string
  clientKey: string
  tokens: string[]
  /** At scale: what was seeded, and the token of the user whose requests are explained. */
  seeded?: SeededScale
}

/** The empty database: USERS users with tokens, no sessions; or, with `scale`, the loaded one. */
const prepare = async (dialect: Dialect, scale?: ScaleSize): Promise<Prepared> => {
  const storage = await createTestDatabaseTargets(dialect, PG_URL)
  const secret = randomBytes(32).toString('base64')
  const config = loadConfig({ ...serverEnv(storage, secret), MIGRATE_ON_BOOT: 'true' })
  const runtime = await openRuntime(config, { log: createLogger('warn') })
  const { client } = await createClient(
    runtime,
    { name: 'bench', mode: 'sandbox', regions: ['intl'] },
    'cli:bench',
  )
  const passwordHash = await hashPassword('correct horse battery')
  if (scale) {
    await runtime.close()
    const seeded = await seedAtScale(dialect, storage, {
      ...scale,
      clientId: client.id,
      passwordHash,
      measured: USERS,
    })
    return { storage, secret, clientKey: client.clientKey, tokens: seeded.tokens, seeded }
  }
  const now = Date.now()
  const tokens: string[] = []
  const db = runtime.databases.home.db
  for (let offset = 0; offset < USERS; offset += 500) {
    const batch = Array.from({ length: Math.min(500, USERS - offset) }, (_, i) => offset + i)
    const users = batch.map((n) =>
      newUserRow({
        id: crypto.randomUUID(),
        client_id: client.id,
        onboarding_id: crypto.randomUUID(),
        email: `bench${n}@example.com`,
        password_hash: passwordHash,
        country_of_residence: 'GB',
        phone_country_code: '+44',
        phone_number: `7400${String(n).padStart(6, '0')}`,
        phone_verified_at: now,
        first_name: 'Bench',
        last_name: `User${n}`,
        date_of_birth: '1990-01-31',
        country_of_nationality: 'GB',
        address_line1: '1 High St',
        city: 'Leeds',
        zip: 'LS1 1AA',
        registration_completed_at: now,
        created_at: now,
      }),
    )
    const batchTokens = users.map(() => generateSecret('INTL_'))
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('app_user').values(users).execute()
      await trx
        .insertInto('access_token')
        .values(
          users.map((user, i) => ({
            id: hashSecret(batchTokens[i] as string),
            user_id: user.id,
            client_id: client.id,
            created_at: now,
            expires_at: now + 6 * 3600_000,
            revoked_at: null,
          })),
        )
        .execute()
    })
    tokens.push(...batchTokens)
  }
  await runtime.close()
  return { storage, secret, clientKey: client.clientKey, tokens }
}

const pgReachable = async () => {
  const probe = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 })
  try {
    await probe.connect()
    await probe.end()
    return true
  } catch {
    return false
  }
}

type DialectMeasured = ScaleMeasured<Measured>

/** One database behind its own `verity serve` process. */
type Target = { prepared: Prepared; api: string; server: ChildProcess }

const startTarget = async (prepared: Prepared, profile: string[]): Promise<Target> => {
  const port = await freePort()
  const server = start([...profile, 'bin/verity.js', 'serve', '--no-worker'], {
    ...serverEnv(prepared.storage, prepared.secret),
    PORT: String(port),
  })
  return { prepared, api: `http://127.0.0.1:${port}`, server }
}

/**
 * The empty database and, with `scale`, the loaded one, each served by its own process at the same time:
 * the rounds alternate baseline, empty, loaded, so that a burst of noise on this shared machine hits all
 * alike. Session creation alternates slices of the requests the same way.
 */
const benchDialect = async (
  dialect: Dialect,
  scale?: ScaleSize,
): Promise<{ empty: DialectMeasured; loaded?: DialectMeasured } | undefined> => {
  process.stderr.write(`\n[${dialect}] preparing ${USERS} users…\n`)
  const prepared = [await prepare(dialect)]
  try {
    if (scale) {
      process.stderr.write(
        `[${dialect}] seeding ${scale.users.toLocaleString('en')} users and ${scale.sessions.toLocaleString('en')} sessions…\n`,
      )
      const loaded = await prepare(dialect, scale)
      prepared.push(loaded)
      process.stderr.write(`[${dialect}] seeded in ${loaded.seeded?.seconds} s\n`)
    }
    const profile = process.env.BENCH_PROFILE
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
      : []
    const targets = await Promise.all(prepared.map((each) => startTarget(each, profile)))
    const barePort = await freePort()
    const bareUrl = `http://127.0.0.1:${barePort}/bare`
    const bare = start(['bench/bare-server.ts'], { PORT: String(barePort) })
    const stopAll = () => Promise.all([...targets.map((target) => stop(target.server)), stop(bare)])
    let stopped = false
    try {
      await Promise.all([
        ...targets.map((target) => waitForHttp(`${target.api}/healthz`)),
        waitForHttp(bareUrl),
      ])
      const { clientKey, tokens } = prepared[0] as Prepared
      // Warm up every process (JIT, connection pools) before measuring.
      // The baseline gets the same rotating headers, so the load generator does the same work for all.
      await run({ url: bareUrl, duration: 2, requests: rotating(clientKey, tokens) })
      for (const target of targets) {
        const { clientKey: key, tokens: its } = target.prepared
        await run({ url: `${target.api}/v1/user`, duration: 2, requests: rotating(key, its) })
      }

      process.stderr.write(`[${dialect}] measuring…\n`)
      if (process.env.BENCH_PROFILE) {
        // Profiling run: load only GET /v1/user so the profile shows that path alone.
        const first = targets[0] as Target
        await run({
          url: `${first.api}/v1/user`,
          duration: DURATION_S,
          requests: rotating(clientKey, tokens),
        })
        return undefined
      }
      // Alternate short runs of the baseline and the route; report the median of the rounds.
      const baselineRounds: Measured[] = []
      const userRounds: Measured[][] = targets.map(() => [])
      for (let round = 0; round < ROUNDS; round++) {
        baselineRounds.push(
          await run({ url: bareUrl, duration: DURATION_S, requests: rotating(clientKey, tokens) }),
        )
        for (const [i, target] of targets.entries()) {
          const { clientKey: key, tokens: its } = target.prepared
          userRounds[i]?.push(
            await run({ url: `${target.api}/v1/user`, duration: DURATION_S, requests: rotating(key, its) }),
          )
        }
      }
      // Each user may hold 3 active sessions: two requests per user stay under that, so every request
      // creates a session; the slices share one rotation per database, so no user gets a third.
      const sessionRounds: Measured[][] = targets.map(() => [])
      const cursors = targets.map(() => ({ next: 0 }))
      for (let slice = 0; slice < ROUNDS; slice++) {
        for (const [i, target] of targets.entries()) {
          const { clientKey: key, tokens: its } = target.prepared
          const total = its.length * 2
          const amount = Math.floor((total * (slice + 1)) / ROUNDS) - Math.floor((total * slice) / ROUNDS)
          sessionRounds[i]?.push(
            await run({
              url: `${target.api}/v1/user/verification`,
              amount,
              requests: rotating(key, its, cursors[i]),
            }),
          )
        }
      }
      await stopAll()
      stopped = true
      const baseline = median(baselineRounds)
      const measuredAt = (i: number) => ({
        dialect,
        baseline,
        user: median(userRounds[i] as Measured[]),
        sessions: median(sessionRounds[i] as Measured[]),
      })
      const loaded = prepared[1]
      if (!loaded?.seeded) return { empty: measuredAt(0) }
      // After the load, so the plans are those of a database that has just taken it.
      process.stderr.write(`[${dialect}] explaining the hot queries…\n`)
      const config: Config = loadConfig(serverEnv(loaded.storage, loaded.secret))
      const plans = await explainHotQueries(dialect, config, loaded.clientKey, loaded.seeded.planToken)
      return { empty: measuredAt(0), loaded: { ...measuredAt(1), seeded: loaded.seeded, plans } }
    } finally {
      if (!stopped) await stopAll()
    }
  } finally {
    for (const each of prepared) await each.storage.cleanup()
  }
}

const measured = [await benchDialect('sqlite', process.env.BENCH_PROFILE ? undefined : SCALE)]
if (process.env.BENCH_PROFILE) process.exit(0)
if (await pgReachable()) {
  measured.push(await benchDialect('postgres', SCALE))
} else {
  process.stderr.write(`PostgreSQL not reachable at ${PG_URL}: skipped\n`)
}
const results = measured.flatMap((result) => (result ? [result.empty] : []))
const scaleResults = measured.flatMap((result) => (result?.loaded ? [result.loaded] : []))
const webhookResults: WebhookMeasured[] = []
for (const { dialect } of results) {
  process.stderr.write(`[${dialect}] webhooks…\n`)
  webhookResults.push(await benchWebhooks(dialect, PG_URL))
}

// BENCH_START=0 skips the start times (21 process runs).
let startTimes: StartMeasured | undefined
if (process.env.BENCH_START !== '0') {
  process.stderr.write('[start] start times…\n')
  startTimes = await benchStart()
}

process.stderr.write('[checks] automated checks…\n')
const checks = await benchChecks()

const cpu = os.cpus()[0]?.model ?? 'unknown CPU'
const row = (name: string, m: Measured, baseline: Measured) =>
  `| ${name} | ${m.rps.toLocaleString('en')} | ${(m.rps / baseline.rps).toFixed(2)} | ${m.p50} | ${m.p99} | ${m.non2xx} |`
const table = results
  .map(
    ({ dialect, baseline, user, sessions }) => `### ${dialect}

| route | requests/s | ratio to bare | p50 ms | p99 ms | non-2xx |
|---|---:|---:|---:|---:|---:|
${row('bare Fastify route (baseline)', baseline, baseline)}
${row('GET /v1/user', user, baseline)}
${row('GET /v1/user/verification (creates a session)', sessions, baseline)}
`,
  )
  .join('\n')

const verdicts = results
  .map(({ dialect, baseline, user, sessions }) => {
    const target = dialect === 'sqlite' ? 3700 : 1500
    return `- ${dialect}: GET /v1/user at ${Math.round((user.rps / baseline.rps) * 100)}% of the bare route (target ≥ 50%: ${user.rps / baseline.rps >= 0.5 ? 'met' : 'missed'}); session creation ${sessions.rps}/s with p99 ${sessions.p99} ms (target ≥ ${target}/s and p99 < 25 ms: ${sessions.rps >= target && sessions.p99 < 25 ? 'met' : 'missed'}).`
  })
  .join('\n')

const webhookTable = `| database | deliveries | deliveries/s | CPU ms per delivery | state change → first attempt p50 ms | p95 ms | max ms |
|---|---:|---:|---:|---:|---:|---:|
${webhookResults
  .map(
    (m) =>
      `| ${m.dialect} | ${m.deliveries.toLocaleString('en')} | ${m.perSecond} | ${m.cpuMsPerDelivery} | ${m.p50} | ${m.p95} | ${m.max} |`,
  )
  .join('\n')}
`
const webhookVerdicts = webhookResults
  .map(
    (m) =>
      `- ${m.dialect}: webhooks ${m.perSecond} deliveries/s (target ≥ 1,000: ${m.perSecond >= 1000 ? 'met' : 'missed'}); first attempt p95 ${m.p95} ms after the state change (target ≤ 250 ms: ${m.p95 <= 250 ? 'met' : 'missed'}).`,
  )
  .join('\n')

const report = `# Benchmarks

Generated by \`npm run bench\` (bench/run.ts) on ${new Date().toISOString().slice(0, 10)}.

Machine: ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node.js ${process.version}, ${os.platform()} ${os.release()}.

Setup: ${USERS.toLocaleString('en')} registered users with access tokens; \`verity serve --no-worker\` and the baseline
server each in their own process, LOG_LEVEL=warn; autocannon with ${CONNECTIONS} connections in the bench process; the baseline and GET /v1/user
alternate in ${ROUNDS} rounds of ${DURATION_S} s after a 2 s warm-up and the median round is shown. Session creation sends ${(USERS * 2).toLocaleString('en')} requests rotating over the users (two per
user, under the 3-concurrent limit, so every request creates a session) in ${ROUNDS} slices, the median slice shown${SCALE ? '; the loaded database of the at-scale section is served at the same time and its rounds and slices alternate with these' : ''}. Server, database and load
generator share the same cores, so read the ratios rather than the absolute numbers.

${table}
## Webhooks

One process as \`verity serve\` runs it: the in-process worker (WORKER_CONCURRENCY=${WEBHOOK_CONCURRENCY}), one endpoint subscribed to
kyc.status.changed, a receiver on loopback answering 204. Deliveries/s: the worker is started and prepared (check models
loaded, as in a server that has been up), then that many users change state in one transaction and the rate is timed from
its commit until the receiver has them all (each delivery is one job, written with the state change, signed twice, logged).
CPU is the process's per delivery. Latency: state changes one at a time, from the commit to the receiver getting the request.

${webhookTable}
${checksSection(checks)}
${SCALE ? scaleSection(SCALE, USERS, results, scaleResults) : ''}
${startTimes ? startSection(startTimes) : ''}
${targetsSection({ empty: results, loaded: scaleResults, webhooks: webhookResults, start: startTimes })}
## Against the targets

${verdicts}
${scaleVerdicts(results, scaleResults)}
${webhookVerdicts}
- checks: submit → decision p50 ${checks.p50} ms, p95 ${checks.p95} ms (targets ≤ 2 s, ≤ 4 s: ${checks.p50 <= 2000 && checks.p95 <= 4000 ? 'met' : 'missed'}); upload feedback p95 ${checks.feedbackP95} ms (target ≤ 1.5 s: ${checks.feedbackP95 <= 1500 ? 'met' : 'missed'}); RSS ${checks.rssAfterRuns} MB (target ≤ 1 GB: ${checks.rssAfterRuns <= 1024 ? 'met' : 'missed'}).
`
writeFileSync('docs/benchmarks.md', report)
process.stdout.write(report)
