import { type Html, html } from '../../web/page.ts'
import { DAY_OUTCOMES, type Dashboard, type DayOutcome } from './dashboard.ts'
import { nav, type Viewer } from './pages.ts'

const COLOURS: Record<DayOutcome, string> = {
  approved: '#15803d',
  rejected: '#b91c1c',
  resubmission_required: '#b45309',
  waiting: '#6b7280',
}
const LABELS: Record<DayOutcome, string> = {
  approved: 'approved',
  rejected: 'rejected',
  resubmission_required: 'new photos requested',
  waiting: 'waiting for a person',
}

/**
 * Verifications per day by outcome as a stacked bar chart, drawn here as SVG: no script, no request
 * to anyone. The same numbers are in the table under it (screen readers, exact values).
 */
export const dayChart = (days: Dashboard['days']): Html => {
  const width = 760
  const height = 220
  const left = 36
  const bottom = 28
  const top = 10
  const max = Math.max(1, ...days.map((day) => DAY_OUTCOMES.reduce((sum, key) => sum + day.counts[key], 0)))
  const slot = (width - left) / Math.max(1, days.length)
  const barWidth = Math.max(4, slot * 0.7)
  const scale = (height - bottom - top) / max
  const bars = days.flatMap((day, index) => {
    let y = height - bottom
    return DAY_OUTCOMES.flatMap((key) => {
      const count = day.counts[key]
      if (count === 0) return []
      const barHeight = count * scale
      y -= barHeight
      return [
        html`<rect x="${(left + index * slot + (slot - barWidth) / 2).toFixed(1)}" y="${y.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${barHeight.toFixed(1)}" fill="${COLOURS[key]}"><title>${day.day}: ${count} ${LABELS[key]}</title></rect>`,
      ]
    })
  })
  const labels = days.map((day, index) =>
    index % Math.ceil(days.length / 7) === 0
      ? html`<text x="${(left + index * slot + slot / 2).toFixed(1)}" y="${height - 8}" text-anchor="middle" font-size="11">${day.day.slice(5)}</text>`
      : '',
  )
  return html`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-labelledby="day-chart-title">
<title id="day-chart-title">Verifications per day by outcome</title>
<line x1="${left}" y1="${height - bottom}" x2="${width}" y2="${height - bottom}" stroke="#4a5568"/>
<text x="${left - 6}" y="${top + 10}" text-anchor="end" font-size="11">${max}</text>
<text x="${left - 6}" y="${height - bottom}" text-anchor="end" font-size="11">0</text>
${bars}${labels}
</svg>`
}

const seconds = (ms: number | null) => (ms === null ? '—' : `${(ms / 1000).toFixed(1)} s`)

export const dashboardPage = (
  viewer: Viewer,
  input: {
    dashboard: Dashboard
    days: number
    queue: { size: number; oldestSubmittedAt: string | null }
    filters: { client?: string; region?: string }
    regions: string[]
  },
) => {
  const { dashboard } = input
  const share =
    dashboard.decided === 0
      ? '—'
      : `${Math.round((100 * dashboard.decidedAutomatically) / dashboard.decided)} %`
  const option = (value: string, selected: string | undefined) =>
    html`<option value="${value}"${value === selected ? html` selected` : ''}>${value}</option>`
  return html`
${nav(viewer)}
<h1>Dashboard</h1>
<form method="get" action="/console/dashboard" class="filters" aria-label="Filter the dashboard">
  <div><label for="client">Client</label><select id="client" name="client"><option value="">Every client</option>${dashboard.clients.map((client) => option(client, input.filters.client))}</select></div>
  <div><label for="region">Region</label><select id="region" name="region"><option value="">Every region</option>${input.regions.map((region) => option(region, input.filters.region))}</select></div>
  <div><button type="submit">Show</button></div>
</form>
<table>
  <caption class="visually-hidden">Summary of the last ${input.days} days</caption>
  <tbody>
    <tr><th scope="row">Submitted (last ${input.days} days)</th><td>${dashboard.submitted}</td></tr>
    <tr><th scope="row">Decided</th><td>${dashboard.decided}</td></tr>
    <tr><th scope="row">Decided automatically</th><td>${share}</td></tr>
    <tr><th scope="row">Submission → decision, p50 / p95</th><td>${seconds(dashboard.p50)} / ${seconds(dashboard.p95)}</td></tr>
    <tr><th scope="row">Waiting for a person now</th><td>${input.queue.size}${input.queue.oldestSubmittedAt ? `, the oldest submitted ${input.queue.oldestSubmittedAt}` : ''}</td></tr>
  </tbody>
</table>
<h2>Verifications per day</h2>
<p>${DAY_OUTCOMES.map((key) => html`<svg xmlns="http://www.w3.org/2000/svg" width="12" height="12" aria-hidden="true"><rect width="12" height="12" fill="${COLOURS[key]}"/></svg> ${LABELS[key]} `)}</p>
${dayChart(dashboard.days)}
<details><summary>The numbers per day</summary>
<table><thead><tr><th scope="col">Day</th>${DAY_OUTCOMES.map((key) => html`<th scope="col">${LABELS[key]}</th>`)}</tr></thead><tbody>
${dashboard.days.map((day) => html`<tr><td>${day.day}</td>${DAY_OUTCOMES.map((key) => html`<td>${day.counts[key]}</td>`)}</tr>`)}
</tbody></table></details>
<h2>Top reasons for rejections and new photos</h2>
${
  dashboard.topReasons.length === 0
    ? html`<p>None in this period.</p>`
    : html`<table><thead><tr><th scope="col">Reason</th><th scope="col">Decisions</th></tr></thead><tbody>${dashboard.topReasons.map((row) => html`<tr><td>${row.code}</td><td>${row.count}</td></tr>`)}</tbody></table>`
}`
}
