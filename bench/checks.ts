/**
 * The automated checks' benchmark (issue #12): submit → decision for the genuine passport case (p50,
 * p95 over BENCH_CHECK_RUNS runs), the upload feedback time of one photo, the process's RSS with the
 * models loaded, and decisions per minute with WORKER_CONCURRENCY (and CHECK_THREADS) 1 and 2. Everything
 * runs in one process as `verity serve` does by default: the API, the in-process worker and its
 * analysis threads, on SQLite. Used by bench/run.ts; `npm run bench:checks` prints the section alone.
 */
import { drawsFor, passportCase } from '../test/accuracy/cases.ts'
import { SANCTIONS_FIXTURE } from '../test/accuracy/run-cases.ts'
import { startVerification } from '../test/helpers/capture.ts'
import { runCli } from '../test/helpers/cli.ts'
import { liveHarness } from '../test/helpers/live-submission.ts'
import { type Browser, flowClient, openLink } from '../test/helpers/sessions.ts'

const RUNS = Number(process.env.BENCH_CHECK_RUNS ?? 20)
const BATCH = Number(process.env.BENCH_CHECK_BATCH ?? 8)

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number
}

/** The n-th genuine passport: its own person and document number, so no run is another's duplicate. */
const genuine = (n: number) =>
  passportCase(`genuine passport ${n}`, 'approved', 'sample2#0', {
    data: { documentNumber: String(700000000 + n), surname: `Harrington`, givenNames: `Eleanor Mary` },
  })

const harnessWith = async (concurrency: number) => {
  const draws: number[] = []
  const harness = await liveHarness('sqlite', {
    env: { WORKER_CONCURRENCY: String(concurrency), CHECK_THREADS: String(concurrency), LOG_LEVEL: 'silent' },
    randomBelow: (below) => (draws.shift() ?? 0) % below,
  })
  const imported = await runCli(
    ['sanctions', 'import', SANCTIONS_FIXTURE, '--format', 'csv', '--list', 'internal'],
    { DATA_DIR: harness.t.storage.dataDir, ...harness.t.storage.env },
  )
  if (imported.code !== 0) throw new Error(imported.stderr)
  /** Registers the n-th person and submits their case; resolves with the session once submitted. */
  const submitGenuine = async (n: number) => {
    const labelled = genuine(n)
    const user = await harness.registerPerson(labelled.person)
    const { submission, answer } = await labelled.build()
    draws.push(...drawsFor(answer?.steps ?? []))
    const sessionId = await harness.submit(user, submission, () => answer?.frames ?? [])
    return { user, sessionId, submittedAt: performance.now() }
  }
  return { harness, submitGenuine }
}

export type ChecksMeasured = {
  runs: number
  approved: number
  p50: number
  p95: number
  feedbackP50: number
  feedbackP95: number
  rssAfterFirst: number
  rssAfterRuns: number
  perMinute: { concurrency: number; decisions: number; perMinute: number }[]
}

export const benchChecks = async (): Promise<ChecksMeasured> => {
  const rss = () => Math.round(process.memoryUsage().rss / 2 ** 20)
  const latencies: number[] = []
  const feedback: number[] = []
  let approved = 0
  let rssAfterFirst = 0
  const { harness, submitGenuine } = await harnessWith(1)
  try {
    for (let n = 0; n < RUNS; n++) {
      const { user, sessionId, submittedAt } = await submitGenuine(n)
      const decision = await harness.decisionOf(user, sessionId, 120_000)
      latencies.push(performance.now() - submittedAt)
      if (decision.outcome === 'approved') approved += 1
      if (n === 0) rssAfterFirst = rss()
      process.stderr.write(
        `[checks] run ${n + 1}/${RUNS}: ${decision.outcome} ${decision.reasons.join(',')} ${Math.round(latencies.at(-1) ?? 0)} ms\n`,
      )
    }
    // Upload feedback: a passport front at the front step, from the upload's answer to the verdict.
    for (let n = 0; n < Math.min(RUNS, 10); n++) {
      const labelled = genuine(1000 + n)
      const user = await harness.registerPerson(labelled.person)
      const { submission } = await labelled.build()
      const url = await startVerification(harness.t, harness.live.client.clientKey, user)
      const browser: Browser = {}
      await openLink(harness.t.app, url, browser)
      const flow = flowClient(harness.t.app, browser)
      await flow.form('consent', { csrf: await flow.token('consent'), consent: 'yes' })
      await flow.form('document', {
        csrf: await flow.token('document'),
        documentType: 'passport',
        issuingCountry: 'GB',
      })
      const started = performance.now()
      await flow.upload('front', await flow.token('front'), submission.front, { json: true })
      for (;;) {
        const status = (await flow.page('/verify/feedback/front')).json().status
        if (status !== 'pending') break
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      feedback.push(performance.now() - started)
    }
  } finally {
    await harness.close()
  }
  const rssAfterRuns = rss()

  const perMinute: ChecksMeasured['perMinute'] = []
  for (const concurrency of [1, 2]) {
    const { harness: batchHarness, submitGenuine: submit } = await harnessWith(concurrency)
    try {
      await batchHarness.decisionOf(
        ...(await (async () => {
          const warm = await submit(5000 + concurrency * 100)
          return [warm.user, warm.sessionId] as const
        })()),
      )
      const started = performance.now()
      const submitted = []
      for (let n = 0; n < BATCH; n++) submitted.push(await submit(6000 + concurrency * 100 + n))
      for (const { user, sessionId } of submitted) await batchHarness.decisionOf(user, sessionId, 300_000)
      const minutes = (performance.now() - started) / 60_000
      perMinute.push({ concurrency, decisions: BATCH, perMinute: Number((BATCH / minutes).toFixed(1)) })
    } finally {
      await batchHarness.close()
    }
  }
  return {
    runs: RUNS,
    approved,
    p50: Math.round(percentile(latencies, 50)),
    p95: Math.round(percentile(latencies, 95)),
    feedbackP50: Math.round(percentile(feedback, 50)),
    feedbackP95: Math.round(percentile(feedback, 95)),
    rssAfterFirst,
    rssAfterRuns,
    perMinute,
  }
}

export const checksSection = (m: ChecksMeasured) => `## Automated checks

One process as \`verity serve\` runs it by default (API, in-process worker, CHECK_THREADS analysis threads), SQLite,
the genuine passport case of the labelled set (test/accuracy/cases.ts: a TD3 page photographed on a table, the selfie
and its two-pose challenge), each run a new person and document. Submit → decision is measured from the submitting
request's answer to the decision in the database (polled every 25 ms). Upload feedback: from the front photo's upload
answer to its verdict at GET /verify/feedback/front (polled every 20 ms). RSS is the whole process's (the threads
live in it).

| measure | value | target |
|---|---:|---|
| submit → decision p50 (${m.runs} runs, ${m.approved} approved) | ${m.p50} ms | ≤ 2,000 ms |
| submit → decision p95 | ${m.p95} ms | ≤ 4,000 ms |
| upload feedback, one photo, p50 / p95 | ${m.feedbackP50} / ${m.feedbackP95} ms | ≤ 1,500 ms |
| process RSS after the first decision (models loaded) | ${m.rssAfterFirst} MB | worker ≤ 1 GB |
| process RSS after all runs | ${m.rssAfterRuns} MB | |
${m.perMinute.map((row) => `| decisions per minute, WORKER_CONCURRENCY=CHECK_THREADS=${row.concurrency} (${row.decisions} submitted back to back) | ${row.perMinute} | |`).join('\n')}
`

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(checksSection(await benchChecks()))
}
