/**
 * A decode storm, as the security review ran it (issue #10, item 6): many parallel uploads of tiny files
 * that declare huge pictures, each from its own verification session, over real HTTP to a listening
 * server; meanwhile another user uploads a small HEIC photo. Prints the peak RSS of the server process
 * during the storm (VmHWM, reset before it starts) and that other user's upload latency.
 *
 * `npm run bench:decode-storm` runs both storms, each in a fresh process:
 * - webp: 90 parallel uploads of a 1.9 KB 49 MP WebP;
 * - heic: 20 parallel uploads of an 8.4 KB 35 MP HEIC (test/fixtures/bomb-35mp.heic, made with
 *   libheif's heif-enc from a flat 8192 × 4320 picture).
 * `npm run bench:decode-storm -- webp` runs one. The server shares this process with the load generator,
 * whose own memory is a few megabytes.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { cpus } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { buildTestApp } from '../test/helpers/app.ts'
import { freePort } from '../test/helpers/browser.ts'
import { registerSandboxUser, startVerification } from '../test/helpers/capture.ts'
import { flowClient, openLink } from '../test/helpers/sessions.ts'

const STORMS = {
  webp: { uploads: 90, file: 'a 1.9 KB 49 MP WebP' },
  heic: { uploads: 20, file: 'an 8.4 KB 35 MP HEIC' },
} as const
type Storm = keyof typeof STORMS

const fixtures = join(import.meta.dirname, '..', 'test', 'fixtures')

const bombOf = async (storm: Storm): Promise<Buffer> =>
  storm === 'webp'
    ? sharp({ create: { width: 7000, height: 7000, channels: 3, background: '#eeeeee' } })
        .webp({ lossless: true })
        .toBuffer()
    : readFile(join(fixtures, 'bomb-35mp.heic'))

const rssMb = () => process.memoryUsage.rss() / 1024 / 1024
/** Peak resident memory of this process since the last reset, in MB (Linux). */
const peakRssMb = () =>
  Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) / 1024
const resetPeakRss = () => writeFileSync('/proc/self/clear_refs', '5')

const runStorm = async (storm: Storm) => {
  const port = await freePort()
  const t = await buildTestApp('sqlite', { env: { PUBLIC_URL: `http://127.0.0.1:${port}` } })
  try {
    await t.app.listen({ host: '127.0.0.1', port })
    const { client } = await t.createClient({ name: 'Storm', mode: 'sandbox', regions: ['intl'] })

    /** A session at the front-photo step: its cookie and the upload form's CSRF token. */
    const atFrontStep = async () => {
      const user = await registerSandboxUser(t, client.clientKey)
      const browser = {} as { cookie?: string }
      await openLink(t.app, await startVerification(t, client.clientKey, user), browser)
      const flow = flowClient(t.app, browser)
      await flow.form('consent', { csrf: await flow.token('consent'), consent: 'yes' })
      await flow.form('document', {
        csrf: await flow.token('document'),
        documentType: 'passport',
        issuingCountry: 'GB',
      })
      return { cookie: browser.cookie as string, csrf: await flow.token('front') }
    }
    const upload = async (session: { cookie: string; csrf: string }, bytes: Buffer) => {
      const form = new FormData()
      form.append('csrf', session.csrf)
      form.append('file', new Blob([new Uint8Array(bytes)]), 'photo')
      const started = performance.now()
      const response = await fetch(`http://127.0.0.1:${port}/verify/upload/front`, {
        method: 'POST',
        headers: { cookie: session.cookie, accept: 'application/json' },
        body: form,
      })
      await response.arrayBuffer()
      return { status: response.status, ms: performance.now() - started }
    }

    const { uploads } = STORMS[storm]
    const bomb = await bombOf(storm)
    const small = await readFile(join(fixtures, 'sample.heic'))
    const sessions = []
    for (let i = 0; i < uploads; i += 1) sessions.push(await atFrontStep())
    const victim = await atFrontStep()
    // The victim's photo alone, once warm (the HEIC decoder thread started).
    await upload(await atFrontStep(), small)
    const alone = await upload(await atFrontStep(), small)

    const before = rssMb()
    resetPeakRss()
    const started = performance.now()
    const storming = Promise.all(sessions.map((session) => upload(session, bomb)))
    await new Promise((resolve) => setTimeout(resolve, 100))
    const during = await upload(victim, small)
    const results = await storming
    const stormMs = performance.now() - started
    const statuses: Record<number, number> = {}
    for (const result of results) statuses[result.status] = (statuses[result.status] ?? 0) + 1
    return {
      storm,
      uploads,
      bytes: bomb.length,
      rssBeforeMb: before,
      peakRssMb: peakRssMb(),
      rssAfterMb: rssMb(),
      stormMs,
      statuses,
      victimAloneMs: alone.ms,
      victimDuringMs: during.ms,
      victimStatus: during.status,
    }
  } finally {
    await t.close()
  }
}

const [only] = process.argv.slice(2)
if (only === 'webp' || only === 'heic') {
  // One storm, in this process: print the result as JSON for the parent.
  console.log(JSON.stringify(await runStorm(only)))
} else {
  console.log(`${cpus().length} × ${cpus()[0]?.model}, Node ${process.version}`)
  console.log(
    '| storm | uploads | RSS before MB | peak RSS MB | RSS after MB | storm s | answers | other user alone ms | other user during storm ms |',
  )
  console.log('|---|---:|---:|---:|---:|---:|---|---:|---:|')
  for (const storm of Object.keys(STORMS) as Storm[]) {
    const child = spawnSync(process.execPath, [import.meta.filename, storm], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const line = child.stdout.trim().split('\n').at(-1) ?? ''
    const r = JSON.parse(line) as Awaited<ReturnType<typeof runStorm>>
    const answers = Object.entries(r.statuses)
      .map(([status, count]) => `${count}× ${status}`)
      .join(', ')
    console.log(
      `| ${STORMS[storm].file} | ${r.uploads} | ${r.rssBeforeMb.toFixed(0)} | ${r.peakRssMb.toFixed(0)} | ${r.rssAfterMb.toFixed(0)} | ${(r.stormMs / 1000).toFixed(1)} | ${answers} | ${r.victimAloneMs.toFixed(0)} | ${r.victimDuringMs.toFixed(0)} (${r.victimStatus}) |`,
    )
  }
}
