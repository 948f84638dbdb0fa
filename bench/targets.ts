/**
 * The performance targets of issue #15, each with what was measured before the work on it and what this
 * run measured. "Before" is fixed text: the issue's own measurements and the previous `npm run bench`
 * (2026-12-03, the same machine and bench); "now" comes from this run.
 */
import type { Dialect } from '../src/db/database.ts'
import type { StartMeasured } from './start.ts'
import type { WebhookMeasured } from './webhooks.ts'

type Rate = { rps: number; p99: number }
type DialectRates = { dialect: Dialect; baseline: Rate; user: Rate; sessions: Rate }

export type TargetInputs = {
  empty: readonly DialectRates[]
  loaded: readonly DialectRates[]
  webhooks: readonly WebhookMeasured[]
  start: StartMeasured | undefined
}

const verdict = (met: boolean) => (met ? 'met' : 'missed')
const ratio = (rate: Rate, baseline: Rate) => rate.rps / baseline.rps
const percent = (value: number) => `${Math.round(value * 100)}%`

const SESSION_TARGET: Record<Dialect, number> = { sqlite: 3700, postgres: 1500 }
const BEFORE = {
  userRatio: { sqlite: '0.08–0.23 (issue); 0.11 (2026-12-03)', postgres: '0.10 (2026-12-03)' },
  sessions: {
    sqlite: '600–1,714/s, p99 13–31 ms (issue); 1,200/s, p99 19 ms (2026-12-03)',
    postgres: '750/s, p99 22 ms (issue); 545/s, p99 35 ms (2026-12-03)',
  },
  webhooks: {
    sqlite: '685/s (issue); 495/s, p95 4 ms (2026-12-03)',
    postgres: '615/s (issue); 417/s, p95 13 ms (2026-12-03)',
  },
} as const

export const targetsSection = ({ empty, loaded, webhooks, start }: TargetInputs): string => {
  const rows: string[] = []
  for (const m of empty) {
    const userRatio = ratio(m.user, m.baseline)
    rows.push(
      `| ${m.dialect}: GET /v1/user ÷ bare Fastify route | ${BEFORE.userRatio[m.dialect]} | ${userRatio.toFixed(2)} | ≥ 0.50 | ${verdict(userRatio >= 0.5)} |`,
    )
    const target = SESSION_TARGET[m.dialect]
    rows.push(
      `| ${m.dialect}: session creation | ${BEFORE.sessions[m.dialect]} | ${m.sessions.rps.toLocaleString('en')}/s, p99 ${m.sessions.p99} ms | ≥ ${target.toLocaleString('en')}/s, p99 < 25 ms | ${verdict(m.sessions.rps >= target && m.sessions.p99 < 25)} |`,
    )
  }
  for (const l of loaded) {
    const e = empty.find((each) => each.dialect === l.dialect)
    if (!e) continue
    const user = ratio(l.user, l.baseline) / ratio(e.user, e.baseline)
    const sessions = l.sessions.rps / e.sessions.rps
    rows.push(
      `| ${l.dialect}: the two above at 1,000,000 sessions ÷ empty | not measured | ${percent(user)} / ${percent(sessions)} | ≥ 85% each | ${verdict(user >= 0.85 && sessions >= 0.85)} |`,
    )
  }
  if (start) {
    const { serveMigratedDataDir: serve, help, clientList } = start
    rows.push(
      `| start to /healthz 200 / \`verity --help\` / \`verity client list\` (medians) | 2.6 s / 0.5–0.7 s / 2–4 s (issue) | ${serve.median} / ${help.median} / ${clientList.median} ms | ≤ 800 / 200 / 600 ms | ${verdict(serve.median <= 800)} / ${verdict(help.median <= 200)} / ${verdict(clientList.median <= 600)} |`,
    )
  }
  for (const w of webhooks) {
    rows.push(
      `| ${w.dialect}: webhook deliveries, first attempt p95 | ${BEFORE.webhooks[w.dialect]} | ${w.perSecond.toLocaleString('en')}/s, p95 ${w.p95} ms | ≥ 1,000/s, p95 ≤ 250 ms | ${verdict(w.perSecond >= 1000 && w.p95 <= 250)} |`,
    )
  }
  return `## Performance targets (issue #15)

Before: the issue's measurements and the previous \`npm run bench\` (2026-12-03, this machine). Now: this run. The
machine is shared (other work runs beside the bench), so a single run can miss or meet a target by noise; the
ratios are measured against a baseline in the same run for that reason.

| measure | before | now | target | |
|---|---|---|---|---|
${rows.join('\n')}
`
}
