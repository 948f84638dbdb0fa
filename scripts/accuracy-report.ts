// `node scripts/accuracy-report.ts`: writes docs/accuracy.md and docs/accuracy-faces.svg, and exits 1
// when a labelled case was not decided as labelled or anything that should not be approved was (CI runs
// it). Three parts: every labelled case decided end to end (test/accuracy/cases.ts: registration, the
// hosted flow, the worker's real analysis and checks), the face-score distributions of genuine and
// impostor pairs with the thresholds, and the MRZ read rate per photo augmentation.
import { writeFileSync } from 'node:fs'
import os from 'node:os'
import { EnvSchema } from '../src/config/env-schema.ts'
import { byProminence, documentFaces } from '../src/modules/checks/analysis/faces/faces-analyzer.ts'
import { detectFaces, loadHuman } from '../src/modules/checks/analysis/faces/human.ts'
import { decodeForFaces } from '../src/modules/checks/analysis/faces/image.ts'
import { cosineSimilarity } from '../src/modules/checks/analysis/faces/similarity.ts'
import { mrzAnalyzer } from '../src/modules/checks/analysis/mrz/analyzer.ts'
import { type CaseResult, runLabelledCases } from '../test/accuracy/run-cases.ts'
import { mrzData, photoOptions } from '../test/fixtures/documents/mrz-set.ts'
import { type PhotographOptions, photograph } from '../test/fixtures/documents/photograph.ts'
import { renderIdCard } from '../test/fixtures/documents/render-id-card.ts'
import { renderPassport } from '../test/fixtures/documents/render-passport.ts'
import { documentPhoto, documentPortrait, IDENTITIES, selfie } from '../test/fixtures/faces.ts'
import { scoreChart } from './accuracy/score-chart.ts'

const MRZ_PER_AUGMENTATION = Number(process.env.ACCURACY_MRZ_COUNT ?? 6)
const defaultOf = (name: keyof typeof EnvSchema.properties) =>
  (EnvSchema.properties[name] as unknown as { default: number }).default
const MATCH = defaultOf('FACE_MATCH_THRESHOLD')
const REVIEW = defaultOf('FACE_REVIEW_THRESHOLD')

// 1. The labelled cases.
process.stderr.write('labelled cases…\n')
const cases: CaseResult[] = await runLabelledCases('sqlite', (result) =>
  process.stderr.write(`  ${result.id}: ${result.outcome} (${result.ms} ms)\n`),
)
const OUTCOMES = ['approved', 'rejected', 'resubmission_required', 'review'] as const
const confusion = OUTCOMES.map((label) => ({
  label,
  decided: OUTCOMES.map(
    (outcome) => cases.filter((each) => each.label === label && each.outcome === outcome).length,
  ),
}))
const falseAccepts = cases.filter((each) => each.outcome === 'approved' && each.label !== 'approved')
const misdecided = cases.filter((each) => each.outcome !== each.label)
const genuineCases = cases.filter((each) => each.label === 'approved')
const scoreOf = (result: CaseResult, check: string) =>
  result.checks.find((each) => each.check === check)?.score ?? null

// 2. Face scores: each identity's document portrait against every selfie, on two kinds of document photo:
// an ID card and a photographed passport page (where the portrait is small in the photo, and is often
// found on the squared document instead: faces-analyzer.ts documentFaces).
process.stderr.write('face pairs…\n')
await loadHuman()
const selfieEmbeddingOf = async (jpeg: Buffer) => {
  const { face } = await detectFaces(await decodeForFaces(jpeg))
  return [...face].sort(byProminence)[0]?.embedding ?? null
}
type Portrait = { embedding: number[] | null; source: string | null }
// The portrait as the checks find it.
const portraitOf = async (jpeg: Buffer, documentType: 'id_card' | 'passport'): Promise<Portrait> => {
  const { faces, source } = await documentFaces(
    { mediaType: 'image/jpeg', bytes: new Uint8Array(jpeg) },
    documentType,
  )
  const embedding = faces[0]?.embedding ?? null
  return { embedding, source: embedding ? source : null }
}
const passportPagePhoto = async (identity: (typeof IDENTITIES)[number]) => {
  const seed = 3000 + IDENTITIES.indexOf(identity)
  const page = await renderPassport({
    data: mrzData(seed, 'TD3'),
    portrait: { image: await documentPortrait(identity) },
    seed,
  })
  return (await photograph(page.png, photoOptions(seed, 'std'))).jpeg
}
const selfies: (number[] | null)[] = []
const cards: Portrait[] = []
const passports: Portrait[] = []
for (const identity of IDENTITIES) {
  selfies.push(await selfieEmbeddingOf(await selfie(identity)))
  cards.push(await portraitOf(await documentPhoto(identity), 'id_card'))
  passports.push(await portraitOf(await passportPagePhoto(identity), 'passport'))
}
type Pairs = {
  genuine: number[]
  impostor: { value: number; document: string; selfie: string }[]
  missing: number
}
const pairsOf = (portraits: Portrait[], kind: string): Pairs => {
  const pairs: Pairs = {
    genuine: [],
    impostor: [],
    missing: portraits.filter((each) => !each.embedding).length,
  }
  IDENTITIES.forEach((document, i) => {
    IDENTITIES.forEach((taken, j) => {
      const a = portraits[i]?.embedding
      const b = selfies[j]
      if (!a || !b) return
      const value = cosineSimilarity(a, b)
      if (i === j) pairs.genuine.push(value)
      else pairs.impostor.push({ value, document: `${document.id} (${kind})`, selfie: taken.id })
    })
  })
  return pairs
}
const cardPairs = pairsOf(cards, 'ID card')
const passportPairs = pairsOf(passports, 'passport page')
const genuine = [...cardPairs.genuine, ...passportPairs.genuine]
const impostor = [...cardPairs.impostor, ...passportPairs.impostor]
const missingFaces = cardPairs.missing + passportPairs.missing + selfies.filter((each) => !each).length
const fromSquared = passports.filter((each) => each.source === 'squared document').length
const impostorsMatched = impostor.filter((each) => each.value >= MATCH)
const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (share: number) => sorted[Math.max(0, Math.ceil(share * sorted.length) - 1)] ?? Number.NaN
  return [sorted[0], at(0.1), at(0.5), at(0.99), sorted.at(-1)].map((value) =>
    (value ?? Number.NaN).toFixed(3),
  )
}
const lookAlikes = [...impostor].sort((a, b) => b.value - a.value).slice(0, 5)
const pairRow = (name: string, values: number[]) =>
  `| ${name} | ${stats(values).join(' | ')} | ${values.filter((v) => v >= MATCH).length} | ${values.filter((v) => v >= REVIEW && v < MATCH).length} |`
writeFileSync(
  'docs/accuracy-faces.svg',
  scoreChart(
    [
      { name: 'genuine pairs', values: genuine, colour: '#2a7f3f' },
      { name: 'impostor pairs', values: impostor.map((each) => each.value), colour: '#b03a2e' },
    ],
    [
      { name: 'match (approve) ≥', value: MATCH, colour: '#1f4e9e' },
      { name: 'review ≥', value: REVIEW, colour: '#c77c02' },
    ],
    { title: 'Face similarity of genuine and impostor pairs, with the thresholds', min: 0, max: 1, bins: 50 },
  ),
)

// 3. MRZ read rate per augmentation: one kind of degradation at a time, then all of them (the hard set).
process.stderr.write('MRZ read rate…\n')
await mrzAnalyzer.load()
const base = (seed: number): PhotographOptions => ({
  seed,
  rotationDegrees: 1,
  blur: 0.6,
  perspective: 0.01,
  coverage: 0.75,
  lightGradient: 0.1,
  noise: 2,
  jpegQuality: 85,
  background: 'wood',
})
const AUGMENTATIONS: { name: string; options: (seed: number) => PhotographOptions }[] = [
  { name: 'near-ideal photo (1°, σ0.6, q85)', options: base },
  { name: 'rotation 8°', options: (seed) => ({ ...base(seed), rotationDegrees: seed % 2 ? 8 : -8 }) },
  { name: 'perspective 7 %', options: (seed) => ({ ...base(seed), perspective: 0.07 }) },
  {
    name: 'light gradient 0.45 + noise 6',
    options: (seed) => ({ ...base(seed), lightGradient: 0.45, noise: 6 }),
  },
  { name: 'blur σ 2.0', options: (seed) => ({ ...base(seed), blur: 2 }) },
  { name: 'JPEG quality 35', options: (seed) => ({ ...base(seed), jpegQuality: 35 }) },
  { name: 'crop: document 50 % of the frame', options: (seed) => ({ ...base(seed), coverage: 0.5 }) },
  { name: 'standard set (3–8°, σ0.6–1.6, 2–5 %, q60)', options: (seed) => photoOptions(seed, 'std') },
  { name: 'hard set (all of them, stronger)', options: (seed) => photoOptions(seed, 'hard') },
]
const portrait = { image: await documentPortrait(IDENTITIES[0] as (typeof IDENTITIES)[number]) }
const mrzRows: { name: string; td3: number; td1: number; total: number }[] = []
for (const augmentation of AUGMENTATIONS) {
  let td3 = 0
  let td1 = 0
  for (let n = 1; n <= MRZ_PER_AUGMENTATION; n++) {
    const seed = 5000 + n
    const passport = await renderPassport({ data: mrzData(seed, 'TD3'), portrait, seed })
    const passportPhoto = (await photograph(passport.png, augmentation.options(seed))).jpeg
    const read3 = await mrzAnalyzer.analyze({
      documentType: 'passport',
      issuingCountry: null,
      files: { document_front: { mediaType: 'image/jpeg', bytes: passportPhoto } },
    })
    if ((read3?.repairedLines ?? []).join('\n') === passport.lines.join('\n')) td3++
    const card = await renderIdCard({ data: mrzData(seed, 'TD1'), portrait, seed })
    const cardPhoto = (await photograph(card.back, augmentation.options(seed + 1))).jpeg
    const read1 = await mrzAnalyzer.analyze({
      documentType: 'id_card',
      issuingCountry: null,
      files: { document_back: { mediaType: 'image/jpeg', bytes: cardPhoto } },
    })
    if ((read1?.repairedLines ?? []).join('\n') === card.lines.join('\n')) td1++
  }
  mrzRows.push({ name: augmentation.name, td3, td1, total: MRZ_PER_AUGMENTATION })
  process.stderr.write(`  ${augmentation.name}: TD3 ${td3}, TD1 ${td1} of ${MRZ_PER_AUGMENTATION}\n`)
}

const cpu = os.cpus()[0]?.model ?? 'unknown CPU'
const report = `# Accuracy of the automated checks

Generated by \`node scripts/accuracy-report.ts\` (CI runs it on every submission) on ${new Date().toISOString().slice(0, 10)},
${os.cpus().length} × ${cpu}, Node.js ${process.version}. Everything here is synthetic: documents rendered with the
OCR-B font and photographed by a seeded homography (test/fixtures/documents), faces from the 22 people in
\`@vladmandic/face-api\`'s demo photos (test/fixtures/faces.ts). Real documents (holograms, wear, glare,
other printers) and real faces (a ten-year-old passport photo) score lower: read these numbers as upper
bounds, and the decisions as what the rules do with what the checks saw.

## Labelled cases, decided end to end

Each case registers a person over HTTP, walks the hosted flow (the server is made to ask for the two head
poses the fixture has), and the worker's real analysis and checks decide (test/accuracy/cases.ts; the same
cases run as a test, test/accuracy/labelled-cases.test.ts). Submit → decision is the time from the submitting
request to the decision in the database on this machine while the report runs.

| case | labelled | decided | reasons | face score | submit → decision |
|---|---|---|---|---:|---:|
${cases
  .map(
    (each) =>
      `| ${each.id} | ${each.label} | ${each.outcome === each.label ? each.outcome : `**${each.outcome}**`} | ${each.reasons.join(', ') || '—'} | ${scoreOf(each, 'face-match')?.toFixed(3) ?? '—'} | ${each.ms} ms |`,
  )
  .join('\n')}

**Confusion table** (rows: labelled, columns: decided):

| labelled ↓ / decided → | ${OUTCOMES.join(' | ')} |
|---|${OUTCOMES.map(() => '---:').join('|')}|
${confusion.map((row) => `| ${row.label} | ${row.decided.join(' | ')} |`).join('\n')}

- False accepts (approved but labelled otherwise): **${falseAccepts.length}**.
- Decided otherwise than labelled: **${misdecided.length}** of ${cases.length}.
- Genuine cases approved automatically: **${genuineCases.filter((each) => each.outcome === 'approved').length} of ${genuineCases.length}**.

## Face match: genuine and impostor pairs

The document portrait against the selfie, cosine similarity of Human 3.3.6 \`faceres\` embeddings, on two
kinds of document photo per person: an ID card, and a passport data page photographed as in the standard
MRZ set (the portrait is small in such a photo: on ${fromSquared} of ${passports.length} the photo alone showed
no sure face, and the portrait came from the document squared by its corners). Genuine = the same person
(${genuine.length} pairs), impostor = every other person (${impostor.length} pairs)${missingFaces > 0 ? `; ${missingFaces} photos had no face found and are left out` : ''}.
Thresholds as shipped: approve from **${MATCH}** (\`FACE_MATCH_THRESHOLD\`), a person compares from
**${REVIEW}** (\`FACE_REVIEW_THRESHOLD\`), below that the faces are different people. The report fails
when an impostor pair reaches the match threshold.

![Face similarity distributions with the thresholds](accuracy-faces.svg)

| pairs | min | p10 | median | p99 | max | at or above match | in the review band |
|---|---:|---:|---:|---:|---:|---:|---:|
${pairRow('genuine, ID card', cardPairs.genuine)}
${pairRow(
  'impostor, ID card',
  cardPairs.impostor.map((each) => each.value),
)}
${pairRow('genuine, passport page', passportPairs.genuine)}
${pairRow(
  'impostor, passport page',
  passportPairs.impostor.map((each) => each.value),
)}

The closest look-alikes (impostor pairs with the highest scores):
${lookAlikes.map((each) => `- ${each.document} vs ${each.selfie} (selfie): ${each.value.toFixed(3)}`).join('\n')}

Genuine pairs come from the same original photo, so they are easier than a real document against a
selfie taken years later; the review band is wide on purpose, so that such a person is looked at by a
person rather than rejected.

## MRZ read rate per augmentation

${MRZ_PER_AUGMENTATION} TD3 passports and ${MRZ_PER_AUGMENTATION} TD1 card backs per row (seeded, data varied), one degradation at a
time on top of a near-ideal photo, then the standard and hard sets of checks-stack.md. "Exact" = every
character of every line right after the reader's check-digit repair. A read that is not exact fails a
check digit (the case goes to a person) or is refused as unreadable (new photos); the reader's report
(scripts/mrz-read-rate.ts) counts the rarer "valid but wrong" reads, which the glyph-score floor sends to review.

| augmentation | TD3 exact | TD1 exact |
|---|---:|---:|
${mrzRows.map((row) => `| ${row.name} | ${row.td3}/${row.total} | ${row.td1}/${row.total} |`).join('\n')}
`
writeFileSync('docs/accuracy.md', report)
process.stdout.write(
  `${cases.length - misdecided.length} of ${cases.length} labelled cases decided as labelled, ${falseAccepts.length} false accepts\n`,
)
if (misdecided.length > 0 || falseAccepts.length > 0 || impostorsMatched.length > 0) {
  for (const each of impostorsMatched)
    process.stderr.write(
      `IMPOSTOR MATCHED ${each.document} vs ${each.selfie} (selfie): ${each.value.toFixed(3)}\n`,
    )
  for (const each of misdecided)
    process.stderr.write(
      `MISDECIDED ${each.id}: ${each.outcome} (labelled ${each.label}) ${JSON.stringify(each.checks)}\n`,
    )
  process.exit(1)
}
process.exit(0)
