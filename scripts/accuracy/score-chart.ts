/**
 * An SVG histogram of score distributions (genuine vs impostor face pairs) with the thresholds drawn
 * as vertical lines: dependency-free, so the accuracy report needs no charting library.
 */
export type Series = { name: string; values: readonly number[]; colour: string }
export type Threshold = { name: string; value: number; colour: string }

const escapeXml = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)

export const scoreChart = (
  series: readonly Series[],
  thresholds: readonly Threshold[],
  options: { title: string; min?: number; max?: number; bins?: number } = { title: '' },
): string => {
  const width = 720
  const height = 320
  const left = 48
  const right = 16
  const top = 40
  const bottom = 44
  const min = options.min ?? 0
  const max = options.max ?? 1
  const bins = options.bins ?? 40
  const binWidth = (max - min) / bins
  const counts = series.map((each) => {
    const histogram = new Array<number>(bins).fill(0)
    for (const value of each.values) {
      const index = Math.min(bins - 1, Math.max(0, Math.floor((value - min) / binWidth)))
      histogram[index] = (histogram[index] ?? 0) + 1
    }
    return histogram
  })
  const tallest = Math.max(1, ...counts.flat())
  const x = (value: number) => left + ((value - min) / (max - min)) * (width - left - right)
  const y = (count: number) => height - bottom - (count / tallest) * (height - top - bottom)
  const barWidth = (width - left - right) / bins / series.length
  const bars = counts.flatMap((histogram, s) =>
    histogram.map((count, bin) =>
      count === 0
        ? ''
        : `<rect x="${(x(min + bin * binWidth) + s * barWidth).toFixed(1)}" y="${y(count).toFixed(1)}" width="${Math.max(1, barWidth - 0.5).toFixed(1)}" height="${(height - bottom - y(count)).toFixed(1)}" fill="${series[s]?.colour}" fill-opacity="0.8"><title>${escapeXml(series[s]?.name ?? '')}: ${count} in [${(min + bin * binWidth).toFixed(3)}, ${(min + (bin + 1) * binWidth).toFixed(3)})</title></rect>`,
    ),
  )
  const ticks = Array.from({ length: 11 }, (_, i) => min + ((max - min) * i) / 10).map(
    (value) =>
      `<line x1="${x(value)}" x2="${x(value)}" y1="${height - bottom}" y2="${height - bottom + 4}" stroke="#444"/><text x="${x(value)}" y="${height - bottom + 16}" font-size="11" text-anchor="middle">${value.toFixed(1)}</text>`,
  )
  const lines = thresholds.map(
    (threshold, i) =>
      `<line x1="${x(threshold.value)}" x2="${x(threshold.value)}" y1="${top - 6}" y2="${height - bottom}" stroke="${threshold.colour}" stroke-width="2" stroke-dasharray="6 3"/><text x="${x(threshold.value) + 4}" y="${top + 6 + i * 14}" font-size="11" fill="${threshold.colour}">${escapeXml(threshold.name)} ${threshold.value.toFixed(2)}</text>`,
  )
  const legend = series.map(
    (each, i) =>
      `<rect x="${left + i * 200}" y="10" width="12" height="12" fill="${each.colour}"/><text x="${left + i * 200 + 18}" y="20" font-size="12">${escapeXml(each.name)} (n=${each.values.length})</text>`,
  )
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" role="img" aria-label="${escapeXml(options.title)}">`,
    `<title>${escapeXml(options.title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<line x1="${left}" x2="${width - right}" y1="${height - bottom}" y2="${height - bottom}" stroke="#444"/>`,
    `<text x="${width / 2}" y="${height - 8}" font-size="12" text-anchor="middle">cosine similarity, document portrait vs selfie</text>`,
    ...legend,
    ...bars,
    ...ticks,
    ...lines,
    '</svg>',
    '',
  ].join('\n')
}
