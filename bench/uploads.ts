/**
 * What one upload costs the server: sniffing, decoding, orienting, downscaling and re-encoding a phone
 * photo (src/modules/documents/images.ts), then encrypting it into the vault, against a baseline of
 * copying the same bytes in the same run. `npm run bench:uploads`; prints a table, writes nothing.
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { diskBlobStore, documentVault, normalizeUpload } from '../src/modules/documents/index.ts'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8)

/** A 12 MP (4032 × 3024) photo with detail everywhere, as a phone would save it (~5 MB JPEG). */
const phonePhoto = () =>
  sharp(randomBytes(1008 * 756 * 3), { raw: { width: 1008, height: 756, channels: 3 } })
    .resize(4032, 3024, { kernel: 'cubic' })
    .jpeg({ quality: 92 })
    .withMetadata({ orientation: 6 })
    .toBuffer()

const time = async (work: () => Promise<unknown>) => {
  const samples: number[] = []
  for (let round = 0; round < ROUNDS; round += 1) {
    const started = performance.now()
    await work()
    samples.push(performance.now() - started)
  }
  samples.sort((a, b) => a - b)
  return { median: samples[Math.floor(samples.length / 2)] as number, max: samples.at(-1) as number }
}

const dir = await mkdtemp(join(tmpdir(), 'verity-bench-uploads-'))
try {
  const jpeg = await phonePhoto()
  const heic = await readFile(join(import.meta.dirname, '..', 'test', 'fixtures', 'sample.heic'))
  const vault = documentVault(diskBlobStore(dir), randomBytes(32))
  let n = 0
  const rows = [
    ['copy the upload (baseline)', await time(async () => Buffer.from(jpeg))],
    ['normalize 12 MP JPEG', await time(() => normalizeUpload(jpeg, 'photo'))],
    ['normalize 640×480 HEIC', await time(() => normalizeUpload(heic, 'photo'))],
    [
      'normalize + encrypt + write 12 MP JPEG',
      await time(async () => {
        const stored = await normalizeUpload(jpeg, 'photo')
        n += 1
        await vault.put(`doc_${n}`, `intl/doc_${n}`, stored.bytes)
      }),
    ],
  ] as const
  console.log(
    `${cpus().length} × ${cpus()[0]?.model}, Node ${process.version}, ${ROUNDS} rounds, input ${(jpeg.length / 1e6).toFixed(1)} MB`,
  )
  console.log('| work | median ms | max ms |\n|---|---:|---:|')
  for (const [name, result] of rows)
    console.log(`| ${name} | ${result.median.toFixed(1)} | ${result.max.toFixed(1)} |`)
} finally {
  await rm(dir, { recursive: true, force: true })
}
