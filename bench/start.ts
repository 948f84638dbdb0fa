/**
 * Start times (issue #15), `farm-bench` style: each measure is a fresh process run RUNS times, reported as
 * min / median / max of the wall time from spawn. The server runs as an operator starts it (`verity
 * serve`: SQLite under DATA_DIR, the in-process worker, the demo client) and is timed until GET /healthz
 * answers 200: once on a new data dir each run (the first start creates the secret and migrates both
 * regions) and on a data dir already migrated. The CLI commands run against that migrated data dir.
 * `node bench/start.ts` prints the section; bench/run.ts puts it in docs/benchmarks.md.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'

const RUNS = Number(process.env.BENCH_START_RUNS ?? 9)
/** BENCH_START_BIN names another checkout's bin/verity.js, to measure a baseline in the same run. */
const VERITY = path.resolve(process.env.BENCH_START_BIN ?? path.join(import.meta.dirname, '../bin/verity.js'))
const HEALTHZ_POLL_MS = 5
const HEALTHZ_GIVE_UP_MS = 30_000

type Timing = { runs: number; min: number; median: number; max: number }

export type StartMeasured = {
  serveNewDataDir: Timing
  serveMigratedDataDir: Timing
  help: Timing
  clientList: Timing
}

const timingOf = (milliseconds: number[]): Timing => {
  const sorted = [...milliseconds].sort((a, b) => a - b)
  return {
    runs: sorted.length,
    min: Math.round(sorted[0] ?? Number.NaN),
    median: Math.round(sorted[Math.floor(sorted.length / 2)] ?? Number.NaN),
    max: Math.round(sorted.at(-1) ?? Number.NaN),
  }
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })

/** The environment of an operator's machine: only DATA_DIR set, so both regions are SQLite files in it. */
const operatorEnv = (dataDir: string, extra: Record<string, string> = {}) => {
  const { DATABASE_URL: _intl, US_DATABASE_URL: _us, SERVER_SECRET: _secret, ...inherited } = process.env
  return { ...inherited, NODE_ENV: 'development', DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...extra }
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code) => resolve(code))
  })

/** Wall time of one CLI run, spawn to exit; a failed command fails the measure. */
const timeCommand = async (args: string[], env: NodeJS.ProcessEnv): Promise<number> => {
  const started = performance.now()
  const child = spawn(process.execPath, [VERITY, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (chunk) => {
    stderr += chunk
  })
  const code = await exited(child)
  const elapsed = performance.now() - started
  if (code !== 0) throw new Error(`verity ${args.join(' ')} exited ${code}: ${stderr}`)
  return elapsed
}

const healthzAnswers = async (url: string) => {
  try {
    return (await fetch(url)).status === 200
  } catch {
    return false
  }
}

/** Wall time from spawning `verity serve` to the first 200 of GET /healthz; the server is stopped after. */
const timeServeStart = async (dataDir: string): Promise<number> => {
  const port = await freePort()
  const started = performance.now()
  const child = spawn(process.execPath, [VERITY, 'serve'], {
    env: operatorEnv(dataDir, { PORT: String(port) }),
    stdio: 'ignore',
  })
  const exit = exited(child)
  try {
    const url = `http://127.0.0.1:${port}/healthz`
    let died = false
    void exit.then(() => {
      died = true
    })
    while (!(await healthzAnswers(url))) {
      if (died) throw new Error('verity serve exited before /healthz answered')
      if (performance.now() - started > HEALTHZ_GIVE_UP_MS) throw new Error(`${url} did not answer`)
      await new Promise((resolve) => setTimeout(resolve, HEALTHZ_POLL_MS))
    }
    return performance.now() - started
  } finally {
    child.kill('SIGTERM')
    await exit
  }
}

const repeat = async (label: string, once: () => Promise<number>): Promise<Timing> => {
  const milliseconds: number[] = []
  for (let run = 0; run < RUNS; run++) milliseconds.push(await once())
  const timing = timingOf(milliseconds)
  process.stderr.write(`[start] ${label}: ${milliseconds.map(Math.round).join(' ')} ms\n`)
  return timing
}

export const benchStart = async (): Promise<StartMeasured> => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'verity-start-'))
  try {
    let fresh = 0
    const serveNewDataDir = await repeat('serve, new data dir', () =>
      timeServeStart(path.join(scratch, `new-${fresh++}`)),
    )
    const migrated = path.join(scratch, 'migrated')
    await timeServeStart(migrated)
    const serveMigratedDataDir = await repeat('serve, migrated data dir', () => timeServeStart(migrated))
    const env = operatorEnv(migrated)
    const help = await repeat('verity --help', () => timeCommand(['--help'], env))
    const clientList = await repeat('verity client list', () => timeCommand(['client', 'list'], env))
    return { serveNewDataDir, serveMigratedDataDir, help, clientList }
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}

const row = (measure: string, timing: Timing, targetMs?: number) =>
  `| ${measure} | ${timing.runs} | ${timing.min} ms | ${timing.median} ms | ${timing.max} ms | ${
    targetMs === undefined ? '' : `≤ ${targetMs} ms`
  } | ${targetMs === undefined ? '' : timing.median <= targetMs ? 'met' : 'missed'} |`

export const startSection = (m: StartMeasured) => `## Start times

Each measure is a new process (\`node bin/verity.js …\`), run ${m.help.runs} times one after the other; wall time from
spawn to exit, or for the server from spawn to the first 200 of GET /healthz (polled every ${HEALTHZ_POLL_MS} ms). The
server runs as \`verity serve\` does on an operator's machine: both regions SQLite in DATA_DIR, the in-process worker,
the demo client, LOG_LEVEL=warn. "New data dir": the first start, which generates the server secret and migrates both
regions; "migrated": every later start. The CLI commands run against the migrated data dir. A target is met when the
median is within it.

| measure | runs | min | median | max | target | |
|---|---:|---:|---:|---:|---|---|
${row('`verity serve` to /healthz 200, migrated data dir', m.serveMigratedDataDir, 800)}
${row('`verity serve` to /healthz 200, new data dir (first start, migrates)', m.serveNewDataDir)}
${row('`verity --help`', m.help, 200)}
${row('`verity client list`', m.clientList, 600)}
`

if (import.meta.main) process.stdout.write(startSection(await benchStart()))
