import type { Databases } from '../../db/database.ts'

/** The outcomes a day's bar is made of, in the order they are stacked. */
export const DAY_OUTCOMES = ['approved', 'rejected', 'resubmission_required', 'waiting'] as const
export type DayOutcome = (typeof DAY_OUTCOMES)[number]

export type Dashboard = {
  days: { day: string; counts: Record<DayOutcome, number> }[]
  submitted: number
  decided: number
  /** Of the decided: decided by the checks alone, no person involved. */
  decidedAutomatically: number
  /** Submission → final decision, ms. */
  p50: number | null
  p95: number | null
  topReasons: { code: string; count: number }[]
  clients: string[]
}

const DAY_MS = 86_400_000

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? null
    : (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number)

/**
 * What the dashboard shows over the last `days` days of submissions, per client and region when asked:
 * verifications per day by outcome, submission → decision time, the share decided without a person,
 * and the most frequent reasons of rejections and requests for new photos. Read from each
 * region's sessions (a person's decision is a `review_decision` row).
 */
export const dashboardOf = async (
  databases: Databases,
  options: { now: number; days: number; client?: string; region?: string },
): Promise<Dashboard> => {
  const since = Math.floor(options.now / DAY_MS) * DAY_MS - (options.days - 1) * DAY_MS
  const selected = databases.all.filter((database) => !options.region || database.region === options.region)
  const rows = (
    await Promise.all(
      selected.map((database) =>
        database.db
          .selectFrom('verification_session as s')
          .select((eb) => [
            's.client_id as clientId',
            's.outcome as outcome',
            's.submitted_at as submittedAt',
            's.outcome_at as outcomeAt',
            's.reasons as reasons',
            eb
              .exists(
                eb.selectFrom('review_decision as r').select('r.id').whereRef('r.session_id', '=', 's.id'),
              )
              .as('byPerson'),
          ])
          .where('s.status', '=', 'submitted')
          .where('s.submitted_at', '>=', since)
          .execute(),
      ),
    )
  ).flat()
  const clients = [...new Set(rows.map((row) => row.clientId))].sort()
  const mine = rows.filter((row) => !options.client || row.clientId === options.client)

  const days = Array.from({ length: options.days }, (_, index) => ({
    day: new Date(since + index * DAY_MS).toISOString().slice(0, 10),
    counts: { approved: 0, rejected: 0, resubmission_required: 0, waiting: 0 } as Record<DayOutcome, number>,
  }))
  const durations: number[] = []
  const reasons = new Map<string, number>()
  let decided = 0
  let automatic = 0
  for (const row of mine) {
    const submittedAt = Number(row.submittedAt)
    const final = row.outcome !== null && row.outcome !== 'review'
    const bucket = days[Math.floor((submittedAt - since) / DAY_MS)]
    if (bucket) bucket.counts[final ? (row.outcome as DayOutcome) : 'waiting'] += 1
    if (!final) continue
    decided += 1
    if (!row.byPerson) automatic += 1
    if (row.outcomeAt !== null) durations.push(Number(row.outcomeAt) - submittedAt)
    if (row.outcome === 'rejected' || row.outcome === 'resubmission_required')
      for (const { code } of JSON.parse(row.reasons) as { code: string }[])
        reasons.set(code, (reasons.get(code) ?? 0) + 1)
  }
  durations.sort((a, b) => a - b)
  return {
    days,
    submitted: mine.length,
    decided,
    decidedAutomatically: automatic,
    p50: percentile(durations, 50),
    p95: percentile(durations, 95),
    topReasons: [...reasons.entries()]
      .map(([code, count]) => ({ code, count }))
      .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code))
      .slice(0, 8),
    clients,
  }
}
