// `node scripts/mrz-read-rate.ts [count] [std|hard|both]`: the MRZ read rate on seeded sets of
// photographed synthetic documents (TD3 passports, TD1 and TD2 card backs; test/fixtures/documents),
// std and hard augmentation as in docs/checks-stack: exact reads (every character of every line right,
// after the check-digit repair), reads with every check digit valid, "valid but wrong" reads (the
// dangerous kind), MRZ not found, character accuracy, and the time per document (wall and CPU, median
// and p95; the machine's load average is printed, since timings on a shared machine depend on it).
import { loadavg } from 'node:os'
import { mrzAnalyzer } from '../src/modules/checks/analysis/mrz/analyzer.ts'
import { type Augmentation, mrzFixture } from '../test/fixtures/documents/mrz-set.ts'

const count = Number(process.argv[2] ?? 25)
const which = process.argv[3] ?? 'both'
const augmentations: Augmentation[] = which === 'both' ? ['std', 'hard'] : [which as Augmentation]

await mrzAnalyzer.load()
const wrongGlyphs: { format: string; augmentation: string; at: string; read: string; truth: string }[] = []
const lowestExact: number[] = []
const misreadFailures: string[] = []
const percentile = (values: number[], share: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * share))] ?? 0

console.log(
  `| set | format | exact | all check digits valid | valid but wrong | not found | chars | wall ms p50 / p95 | CPU ms p50 |`,
)
console.log('|---|---|---|---|---|---|---|---|---|')
for (const augmentation of augmentations)
  for (const format of ['TD3', 'TD1', 'TD2'] as const) {
    let exact = 0
    let valid = 0
    let validWrong = 0
    let notFound = 0
    let characters = 0
    let right = 0
    const wall: number[] = []
    const cpu: number[] = []
    const misses: string[] = []
    const exactMinScores: number[] = []
    for (let seed = 1; seed <= count; seed++) {
      const fixture = await mrzFixture(format, 1000 + seed, augmentation)
      const photo = { mediaType: 'image/jpeg', bytes: fixture.photo }
      const started = performance.now()
      const cpuStart = process.cpuUsage()
      const part = await mrzAnalyzer.analyze({
        documentType: format === 'TD3' ? 'passport' : 'id_card',
        issuingCountry: null,
        files: format === 'TD3' ? { document_front: photo } : { document_back: photo },
      })
      const used = process.cpuUsage(cpuStart)
      wall.push(performance.now() - started)
      cpu.push((used.user + used.system) / 1000)
      const read = part?.repairedLines ?? []
      if (!part?.found) notFound++
      const isExact = read.join('\n') === fixture.lines.join('\n')
      const isValid = part?.documentData?.checkDigits.every((check) => check.valid) ?? false
      if (isExact) exact++
      for (const check of part?.checkDigits ?? [])
        if (!check.valid)
          misreadFailures.push(
            `misread ${augmentation} ${format} seed ${1000 + seed}: ${check.field} score ${check.minScore} margin ${check.minMargin}`,
          )
      if (isExact && part?.confidence) exactMinScores.push(part.confidence.minScore)
      // Glyphs the matcher got wrong (before repair): how well they scored and by how much they led.
      part?.lines?.forEach((line, index) => {
        for (let at = 0; at < line.length; at++)
          if (line[at] !== fixture.lines[index]?.[at])
            wrongGlyphs.push({
              format,
              augmentation,
              at: `${index}:${at}`,
              read: line[at] as string,
              truth: fixture.lines[index]?.[at] as string,
            })
      })
      if (isValid) valid++
      if (isValid && !isExact) validWrong++
      fixture.lines.forEach((line, index) => {
        for (let at = 0; at < line.length; at++) {
          characters++
          if (read[index]?.[at] === line[at]) right++
        }
      })
      if (!isExact)
        misses.push(
          `  seed ${1000 + seed}: ${read.join(' / ') || 'not found'}\n     truth: ${fixture.lines.join(' / ')}`,
        )
    }
    console.log(
      `| ${augmentation} | ${format} | ${exact}/${count} | ${valid}/${count} | ${validWrong} | ${notFound} | ${((100 * right) / characters).toFixed(2)} % | ${percentile(wall, 0.5).toFixed(0)} / ${percentile(wall, 0.95).toFixed(0)} | ${percentile(cpu, 0.5).toFixed(0)} |`,
    )
    if (misses.length > 0) console.error(misses.join('\n'))
    lowestExact.push(...exactMinScores)
  }
// Corrupted check digits: the fields that fail, with how clearly their glyphs were read; next to the
// genuine reads that still failed a check digit after repair (misreads). The tampering thresholds
// (MRZ_TAMPER_MIN_SCORE / MARGIN) must sit above every misread and below the corrupted reads.
const failures: string[] = []
for (const augmentation of augmentations)
  for (const format of ['TD3', 'TD1', 'TD2'] as const)
    for (let seed = 1; seed <= Math.max(1, Math.round(count / 5)); seed++) {
      const fixture = await mrzFixture(format, 2000 + seed, augmentation, 'birthDate')
      const photo = { mediaType: 'image/jpeg', bytes: fixture.photo }
      const part = await mrzAnalyzer.analyze({
        documentType: format === 'TD3' ? 'passport' : 'id_card',
        issuingCountry: null,
        files: format === 'TD3' ? { document_front: photo } : { document_back: photo },
      })
      const failed = part?.checkDigits?.filter((check) => !check.valid) ?? []
      failures.push(
        `corrupted ${augmentation} ${format} seed ${2000 + seed}: ${failed.map((check) => `${check.field} score ${check.minScore} margin ${check.minMargin}`).join('; ') || 'nothing failed'}`,
      )
    }
console.log(`\n${[...misreadFailures, ...failures].join('\n')}`)
console.log(
  `\nlowest glyph score in exact reads: min ${Math.min(...lowestExact).toFixed(3)}, p5 ${percentile(lowestExact, 0.05).toFixed(3)}, median ${percentile(lowestExact, 0.5).toFixed(3)}`,
)
console.log(
  `glyphs misread before repair: ${wrongGlyphs.length}${wrongGlyphs.length ? `: ${wrongGlyphs.map((glyph) => `${glyph.augmentation} ${glyph.format} ${glyph.at} ${glyph.truth}→${glyph.read}`).join(', ')}` : ''}`,
)
console.log(
  `\nload average ${loadavg()
    .map((value) => value.toFixed(1))
    .join(' ')} on a ${(await import('node:os')).cpus().length}-core machine`,
)
