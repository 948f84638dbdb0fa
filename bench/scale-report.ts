/** The "at scale" section of docs/benchmarks.md: empty against loaded, per dialect, and the query plans. */
import type { Dialect } from '../src/db/database.ts'
import { type ExplainedRequest, planWarnings, queryPlansSection } from './query-plans.ts'
import type { ScaleSize, SeededScale } from './scale-seed.ts'

type Measured = { rps: number; p50: number; p99: number; non2xx: number }
/** One dialect's measures (run.ts adds its own fields to M). */
export type DialectMeasured<M extends Measured = Measured> = {
  dialect: Dialect
  baseline: M
  user: M
  sessions: M
  seeded?: SeededScale
  plans?: ExplainedRequest[]
}

/** Within 15% of the empty database (issue #15). */
const TOLERANCE = 0.15

const pairs = (empty: DialectMeasured[], loaded: DialectMeasured[]) =>
  loaded.flatMap((atScale) => {
    const base = empty.find((m) => m.dialect === atScale.dialect)
    return base ? [{ dialect: atScale.dialect, empty: base, loaded: atScale }] : []
  })

const ratio = (loaded: number, empty: number) => (empty === 0 ? 0 : loaded / empty)

export const scaleSection = (
  size: ScaleSize,
  measuredUsers: number,
  empty: DialectMeasured[],
  loaded: DialectMeasured[],
): string => {
  const rows = pairs(empty, loaded).flatMap(({ dialect, empty: e, loaded: l }) => {
    const userE = e.user.rps / e.baseline.rps
    const userL = l.user.rps / l.baseline.rps
    return [
      `| ${dialect} | GET /v1/user ÷ bare route | ${userE.toFixed(2)} | ${userL.toFixed(2)} | ${ratio(userL, userE).toFixed(2)} | ${e.user.p99} / ${l.user.p99} | ${e.user.non2xx} / ${l.user.non2xx} |`,
      `| ${dialect} | session creation, requests/s | ${e.sessions.rps.toLocaleString('en')} | ${l.sessions.rps.toLocaleString('en')} | ${ratio(l.sessions.rps, e.sessions.rps).toFixed(2)} | ${e.sessions.p99} / ${l.sessions.p99} | ${e.sessions.non2xx} / ${l.sessions.non2xx} |`,
    ]
  })
  const seeding = loaded
    .map(({ dialect, seeded }) =>
      seeded
        ? `- ${dialect}: ${seeded.rows.users.toLocaleString('en')} users, ${seeded.rows.tokens.toLocaleString('en')} access tokens, ${seeded.rows.sessions.toLocaleString('en')} sessions, ${seeded.rows.transitions.toLocaleString('en')} state transitions, seeded in ${seeded.seconds} s (${dialect === 'postgres' ? 'VACUUM ANALYZE' : 'ANALYZE'} included).`
        : '',
    )
    .join('\n')
  const plans = loaded
    .map(({ dialect, plans: explained }) => {
      if (!explained) return ''
      const warnings = planWarnings(dialect, explained)
      const verdict =
        warnings.length === 0
          ? 'Every statement is an index lookup (no scan of a table, no sort).'
          : `Steps that are not an index lookup:\n${warnings.map((w) => `- ${w}`).join('\n')}`
      return `### Query plans: ${dialect}\n\n${verdict}\n\n${queryPlansSection(dialect, explained)}`
    })
    .join('\n')
  return `## At scale

The same two measures on a loaded database: ${size.users.toLocaleString('en')} users with access tokens and
${size.sessions.toLocaleString('en')} verification sessions spread over them (skewed: many users with one or two, a few with
dozens), in the measured region. Most sessions are history (never opened, abandoned, approved, rejected, resubmission
required, with the state transitions their decisions caused); a fifth of the users also hold a link issued or opened in
the last day or a submission being checked or reviewed. The ${measuredUsers.toLocaleString('en')} measured users are spread evenly over all users
and have history only, so every session request creates one while the limits read a real history. Each dialect's
empty database (above) and its loaded one are served at the same time, their rounds alternating with the same bare
baseline (BENCH_SCALE=0 skips this; BENCH_SCALE_USERS / BENCH_SCALE_SESSIONS size it).

${seeding}

| database | measure | empty | loaded | loaded ÷ empty | p99 ms empty / loaded | non-2xx empty / loaded |
|---|---|---:|---:|---:|---:|---:|
${rows.join('\n')}

After the load, the bench opens the runtime in its own process on the loaded database, sends one GET /v1/user and one
GET /v1/user/verification for a measured-like user with a long history (${loaded[0]?.seeded?.planUserSessions ?? 0} past sessions) through the app, and explains every statement the drivers execute,
with its parameters, on its connection, just before it runs: SQLite \`EXPLAIN QUERY PLAN\`; PostgreSQL
\`EXPLAIN (ANALYZE, BUFFERS)\` inside a savepoint rolled back at once. The statements are whatever the code runs today.

${plans}`
}

export const scaleVerdicts = (empty: DialectMeasured[], loaded: DialectMeasured[]): string =>
  pairs(empty, loaded)
    .map(({ dialect, empty: e, loaded: l }) => {
      const user = ratio(l.user.rps / l.baseline.rps, e.user.rps / e.baseline.rps)
      const sessions = ratio(l.sessions.rps, e.sessions.rps)
      const within = user >= 1 - TOLERANCE && sessions >= 1 - TOLERANCE
      const indexOnly = l.plans !== undefined && planWarnings(dialect, l.plans).length === 0
      return `- ${dialect} at scale: GET /v1/user at ${Math.round(user * 100)}% and session creation at ${Math.round(sessions * 100)}% of the empty database (target ≥ ${Math.round((1 - TOLERANCE) * 100)}%: ${within ? 'met' : 'missed'}); hot queries ${indexOnly ? 'all index lookups' : 'not all index lookups'}.`
    })
    .join('\n')
