import { readFileSync } from 'node:fs'
import { userInfo } from 'node:os'
import path from 'node:path'
import closeWithGrace from 'close-with-grace'
import { Type } from 'typebox'
import { Value } from 'typebox/value'
import { loadConfig } from '../config/config.ts'
import { openDatabases, REGIONS } from '../db/database.ts'
import { migrateToLatest, migrationStatus } from '../db/migrate.ts'
import type { AuditAction, SanctionsFormat } from '../db/schema.ts'
import { AppError } from '../lib/errors.ts'
import { createLogger } from '../lib/logger.ts'
import {
  type AuditActor,
  type AuditCheckpoint,
  type AuditEntry,
  checkAgainstCheckpoint,
  listAuditEntries,
  takeCheckpoint,
  verifyAuditChain,
} from '../modules/audit/index.ts'
import { documentPolicyFor } from '../modules/checks/index.ts'
import {
  createClient,
  type DocumentPolicyInput,
  disableClient,
  enableClient,
  ensureDemoClient,
  getClient,
  listClients,
  rotateClientSecret,
  setClientDocumentPolicy,
} from '../modules/clients/index.ts'
import { readOutbox } from '../modules/messaging/index.ts'
import { describeUser, setLoginOtp, setUserSuspended } from '../modules/operator/index.ts'
import {
  type AlertResolution,
  confirmDecision,
  decideCase,
  listAlerts,
  listCases,
  type ReviewInput,
  resolveAlert,
  showCase,
  withdrawDecision,
} from '../modules/review/index.ts'
import {
  describeSanctionsLists,
  type ImportProgress,
  importSanctionsList,
  type ListFile,
} from '../modules/sanctions/index.ts'
import {
  createStaff,
  disableStaff,
  enableStaff,
  listStaff,
  resetStaff,
  type StaffCredentials,
  type StaffDeps,
  type StaffMember,
} from '../modules/staff/index.ts'
import { createApp, createWorker, openRuntime, type Runtime } from '../runtime.ts'
import {
  clientJson,
  describeAlert,
  describeClient,
  describePolicy,
  describeStaff,
  firstStartWalkthrough,
  printJson,
  staffJson,
} from './output.ts'

/** Opens the runtime for a short CLI command: quiet logs, migrations as configured. */
const withRuntime = async <T>(fn: (runtime: Runtime) => Promise<T>): Promise<T> => {
  const config = loadConfig()
  const runtime = await openRuntime(config, {
    log: createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL),
  })
  try {
    return await fn(runtime)
  } finally {
    await runtime.close()
  }
}

/** The operating system's name for whoever runs the command (a container may have no passwd entry). */
const osUser = (): string => {
  try {
    return userInfo().username
  } catch {
    return process.env.USER || process.env.LOGNAME || `uid-${process.getuid?.() ?? 'unknown'}`
  }
}

/** Who an audit entry names for a CLI action: the reviewer given with --reviewer, else the OS user. */
const cliActor = (reviewer?: string): AuditActor => `cli:${reviewer?.trim().toLowerCase() || osUser()}`

export const serve = async (options: { worker: boolean }): Promise<void> => {
  const config = loadConfig()
  const runtime = await openRuntime(config)
  const app = await createApp(runtime)
  const worker = options.worker ? createWorker(runtime) : undefined

  closeWithGrace({ delay: config.SHUTDOWN_GRACE_MS + 5_000 }, async ({ signal, err }) => {
    if (err) runtime.log.error({ err }, 'shutting down after an unexpected error')
    else runtime.log.info({ signal }, 'shutting down')
    // Stop taking requests and let in-flight ones finish, then hand unfinished jobs back.
    await app.close()
    await worker?.stop(config.SHUTDOWN_GRACE_MS)
    await runtime.close()
  })

  const demo = config.DEMO_CLIENT ? await ensureDemoClient(runtime, config.PUBLIC_URL) : undefined
  await app.listen({ host: config.HOST, port: config.PORT })
  // Printed once the server listens, so that the calls it suggests work straight away.
  if (demo) {
    process.stdout.write(
      firstStartWalkthrough(config.PUBLIC_URL, demo.client, demo.created ? demo.secretKey : undefined),
    )
  }
  worker?.start()
  runtime.log.info(
    {
      url: config.PUBLIC_URL,
      worker: Boolean(worker),
      databases: runtime.databases.all.map((database) => `${database.region}:${database.dialect}`),
    },
    'verity is serving',
  )
}

export const work = async (): Promise<void> => {
  const config = loadConfig()
  const runtime = await openRuntime(config)
  const worker = createWorker(runtime)
  closeWithGrace({ delay: config.SHUTDOWN_GRACE_MS + 5_000 }, async ({ signal, err }) => {
    if (err) runtime.log.error({ err }, 'worker stopping after an unexpected error')
    else runtime.log.info({ signal }, 'worker stopping')
    await worker.stop(config.SHUTDOWN_GRACE_MS)
    await runtime.close()
  })
  worker.start()
  runtime.log.info({ concurrency: config.WORKER_CONCURRENCY }, 'worker started')
}

export const migrate = async (options: { status: boolean }): Promise<void> => {
  const config = loadConfig()
  const databases = openDatabases(config.databases)
  try {
    for (const database of databases.all) {
      const label = `${database.region} (${database.dialect})`
      if (options.status) {
        const { applied, pending } = await migrationStatus(database)
        process.stdout.write(
          `${label}: ${applied.length} applied, pending: ${pending.join(', ') || 'none'}\n`,
        )
      } else {
        const { results = [] } = await migrateToLatest(database)
        const names = results.map((result) => result.migrationName)
        process.stdout.write(`${label}: ${names.length > 0 ? `applied ${names.join(', ')}` : 'up to date'}\n`)
      }
    }
  } finally {
    await databases.destroy()
  }
}

export type CreateClientOptions = {
  name: string
  sandbox: boolean
  regions: string
  redirectUri: string[]
  origin: string[]
  public: boolean
  json: boolean
}

export const clientCreate = (options: CreateClientOptions): Promise<void> =>
  withRuntime(async (runtime) => {
    const { client, secretKey } = await createClient(
      runtime,
      {
        name: options.name,
        mode: options.sandbox ? 'sandbox' : 'live',
        regions: options.regions.split(','),
        redirectUris: options.redirectUri,
        allowedOrigins: options.origin,
        publicOAuth: options.public,
      },
      cliActor(),
    )
    if (options.json) printJson(clientJson(client, secretKey))
    else process.stdout.write(`${describeClient(client, secretKey)}\n`)
  })

export const clientList = (options: { json: boolean }): Promise<void> =>
  withRuntime(async (runtime) => {
    const clients = await listClients(runtime)
    if (options.json) printJson(clients.map((client) => clientJson(client)))
    else if (clients.length === 0) process.stdout.write('no clients\n')
    else process.stdout.write(`${clients.map((client) => describeClient(client)).join('\n\n')}\n`)
  })

export const clientRotateSecret = (idOrKey: string, options: { json: boolean }): Promise<void> =>
  withRuntime(async (runtime) => {
    const { client, secretKey } = await rotateClientSecret(runtime, idOrKey, cliActor())
    if (options.json) printJson(clientJson(client, secretKey))
    else process.stdout.write(`${describeClient(client, secretKey)}\n`)
  })

export const clientDisable = (idOrKey: string, options: { json: boolean }): Promise<void> =>
  withRuntime(async (runtime) => {
    const client = await disableClient(runtime, idOrKey, cliActor())
    if (options.json) printJson(clientJson(client))
    else process.stdout.write(`${describeClient(client)}\n`)
  })

export const clientEnable = (idOrKey: string, options: { json: boolean }): Promise<void> =>
  withRuntime(async (runtime) => {
    const client = await enableClient(runtime, idOrKey, cliActor())
    if (options.json) printJson(clientJson(client))
    else process.stdout.write(`${describeClient(client)}\n`)
  })

export type ClientPolicyOptions = {
  documentTypes?: string
  issuingCountries?: string
  restrictedCountries?: string
  minimumAge?: string
  json: boolean
}

// "region" puts a setting back to the region's own; anything else is parsed (and refused) by the service.
const orRegion = (value: string | undefined) =>
  value === undefined ? undefined : value.trim().toLowerCase() === 'region' ? null : value

const policyInput = (options: ClientPolicyOptions): DocumentPolicyInput => {
  const documentTypes = orRegion(options.documentTypes)
  const issuingCountries = orRegion(options.issuingCountries)
  const minimumAge = orRegion(options.minimumAge)
  return {
    ...(documentTypes === undefined ? {} : { documentTypes }),
    ...(issuingCountries === undefined ? {} : { issuingCountries }),
    ...(options.restrictedCountries === undefined
      ? {}
      : { restrictedCountries: options.restrictedCountries }),
    ...(minimumAge === undefined
      ? {}
      : {
          minimumAge: minimumAge === null ? null : /^\d+$/.test(minimumAge) ? Number(minimumAge) : Number.NaN,
        }),
  }
}

/** Shows the client's document settings and, per region it serves, the policy its sessions are judged by. */
export const clientPolicy = (idOrKey: string, options: ClientPolicyOptions): Promise<void> =>
  withRuntime(async (runtime) => {
    const input = policyInput(options)
    const client =
      Object.keys(input).length === 0
        ? await getClient(runtime, idOrKey)
        : await setClientDocumentPolicy(runtime, idOrKey, input, cliActor())
    const effective = Object.fromEntries(
      client.regions.map((region) => [
        region,
        documentPolicyFor(runtime.config.documentPolicies[region], client.documentPolicy),
      ]),
    )
    if (options.json) return printJson({ clientId: client.id, settings: client.documentPolicy, effective })
    process.stdout.write(`${describePolicy(client, effective)}\n`)
  })

export const userShow = (userId: string): Promise<void> =>
  withRuntime(async (runtime) => printJson(await describeUser(runtime, userId)))

export const userSuspend = (userId: string, suspended: boolean): Promise<void> =>
  withRuntime(async (runtime) => printJson(await setUserSuspended(runtime, userId, suspended, cliActor())))

export const userOtp = (userId: string, setting: string): Promise<void> =>
  withRuntime(async (runtime) => {
    if (setting !== 'on' && setting !== 'off') throw new Error('the setting is "on" or "off"')
    printJson(await setLoginOtp(runtime, userId, setting === 'on', cliActor()))
  })

/** Development mail and SMS (without SMTP_URL / SMS_WEBHOOK_URL), newest first, from both regions. */
export const reviewList = (options: { limit: string; json: boolean }): Promise<void> =>
  withRuntime(async (runtime) => {
    const cases = await listCases(
      runtime,
      Math.max(1, Math.min(1000, Number.parseInt(options.limit, 10) || 100)),
    )
    if (options.json) return printJson(cases)
    if (cases.length === 0) process.stdout.write('no case is waiting for a decision\n')
    for (const each of cases)
      process.stdout.write(
        `${each.sessionId}  ${each.region}  waiting ${Math.round(each.waitingSeconds / 60)} min  user ${each.userId}  client ${each.clientId}${each.reasons.length > 0 ? `  ${each.reasons.join(',')}` : ''}\n`,
      )
    // Verified users a re-screening flagged: no session waits for them, so they are listed apart.
    const alerts = await listAlerts(runtime, { limit: 1000 })
    if (alerts.length > 0) {
      process.stdout.write(
        `\n${alerts.length} open sanctions alert(s) (verity review alerts, verity review alert ID clear|confirm):\n`,
      )
      for (const alert of alerts) process.stdout.write(`${describeAlert(alert)}\n`)
    }
  })

export const reviewShow = (sessionId: string): Promise<void> =>
  withRuntime(async (runtime) => printJson(await showCase(runtime, sessionId)))

export const reviewDecide = (
  sessionId: string,
  action: ReviewInput['action'],
  options: { reason?: string; note?: string; reviewer: string },
): Promise<void> =>
  withRuntime(async (runtime) =>
    printJson(
      await decideCase(
        runtime,
        sessionId,
        {
          action,
          reviewer: options.reviewer,
          ...(options.reason === undefined ? {} : { reasonCode: options.reason }),
          ...(options.note === undefined ? {} : { note: options.note }),
        },
        cliActor(options.reviewer),
      ),
    ),
  )

/** The proposal a confirm or withdraw acts on: the one named by --pending, else the case's open one. */
const proposalOf = async (runtime: Runtime, sessionId: string, named: string | undefined) => {
  const pendingId = named ?? (await showCase(runtime, sessionId)).pendingDecision?.id
  if (!pendingId) throw new Error(`no decision waits for confirmation on ${sessionId}`)
  return pendingId
}

/**
 * A second person's confirmation of the decision proposed on a case (four-eyes); the open proposal
 * unless --pending names one. The reviewer must not be its proposer.
 */
export const reviewConfirm = (
  sessionId: string,
  options: { pending?: string; reviewer: string },
): Promise<void> =>
  withRuntime(async (runtime) => {
    const pendingId = await proposalOf(runtime, sessionId, options.pending)
    printJson(
      await confirmDecision(runtime, sessionId, pendingId, options.reviewer, cliActor(options.reviewer)),
    )
  })

/** The proposer takes back the decision they proposed on a case (the open one unless --pending names one). */
export const reviewWithdraw = (
  sessionId: string,
  options: { pending?: string; reviewer: string },
): Promise<void> =>
  withRuntime(async (runtime) => {
    const pendingId = await proposalOf(runtime, sessionId, options.pending)
    printJson(
      await withdrawDecision(runtime, sessionId, pendingId, options.reviewer, cliActor(options.reviewer)),
    )
  })

export const outbox = (options: { limit: string; json: boolean }): Promise<void> =>
  withRuntime(async (runtime) => {
    const limit = Math.max(1, Math.min(500, Number.parseInt(options.limit, 10) || 20))
    const messages = (
      await Promise.all(
        runtime.databases.all.map(async (database) =>
          (await readOutbox(database.db, limit)).map((message) => ({ region: database.region, ...message })),
        ),
      )
    )
      .flat()
      .sort((a, b) => b.created_at - a.created_at)
      .slice(0, limit)
    if (options.json) {
      printJson(
        messages.map((message) => ({ ...message, created_at: new Date(message.created_at).toISOString() })),
      )
      return
    }
    if (messages.length === 0) process.stdout.write('the outbox is empty\n')
    for (const message of messages) {
      const heading = `${new Date(message.created_at).toISOString()}  ${message.channel} to ${message.recipient} (${message.region})`
      process.stdout.write(
        `${heading}\n${message.subject ? `Subject: ${message.subject}\n` : ''}${message.body}\n\n`,
      )
    }
  })

export const reviewAlerts = (options: { all: boolean; limit: string; json: boolean }): Promise<void> =>
  withRuntime(async (runtime) => {
    const alerts = await listAlerts(runtime, {
      all: options.all,
      limit: Math.max(1, Math.min(1000, Number.parseInt(options.limit, 10) || 100)),
    })
    if (options.json) return printJson(alerts)
    if (alerts.length === 0) return void process.stdout.write('no screening alert\n')
    for (const alert of alerts) process.stdout.write(`${describeAlert(alert)}\n`)
  })

export const reviewAlert = (
  alertId: string,
  action: AlertResolution['action'],
  options: { note?: string; reviewer: string },
): Promise<void> =>
  withRuntime(async (runtime) =>
    printJson(
      await resolveAlert(
        runtime,
        alertId,
        {
          action,
          reviewer: options.reviewer,
          ...(options.note === undefined ? {} : { note: options.note }),
        },
        cliActor(options.reviewer),
      ),
    ),
  )

const readListFile = (file: string): ListFile => ({ name: path.basename(file), content: readFileSync(file) })

/** A progress bar on a terminal only: piped or logged output gets the summary line alone. */
const progressBar = async (): Promise<ImportProgress | undefined> => {
  if (!process.stderr.isTTY) return undefined
  const { Presets, SingleBar } = await import('cli-progress')
  const bar = new SingleBar(
    { format: 'importing [{bar}] {percentage}% {value}/{total} entries', stream: process.stderr },
    Presets.shades_classic,
  )
  return { start: (total) => bar.start(total, 0), advance: (by) => bar.increment(by), stop: () => bar.stop() }
}

export const sanctionsImport = (
  file: string,
  options: { format?: SanctionsFormat; list?: string; aliases?: string; json: boolean },
): Promise<void> =>
  withRuntime(async (runtime) => {
    const imported = await importSanctionsList(
      runtime,
      {
        file: readListFile(file),
        ...(options.aliases === undefined ? {} : { aliases: readListFile(options.aliases) }),
        ...(options.format === undefined ? {} : { format: options.format }),
        ...(options.list === undefined ? {} : { list: options.list }),
      },
      await progressBar(),
    )
    if (options.json) return printJson(imported)
    process.stdout.write(
      `${imported.list}: version ${imported.versionId} (${imported.format}), ${imported.entries} entries, ${imported.names} names, sha256 ${imported.sha256}${imported.replacedVersionId ? `, replaces ${imported.replacedVersionId}` : ''}; verified users are being re-screened by the worker\n`,
    )
  })

export const sanctionsList = (options: { json: boolean }): Promise<void> =>
  withRuntime(async (runtime) => {
    const lists = await describeSanctionsLists(runtime.databases.home)
    if (options.json) return printJson(lists)
    if (lists.length === 0) return void process.stdout.write('no sanctions list imported\n')
    for (const { list, versions } of lists)
      for (const version of versions)
        process.stdout.write(
          `${list}  ${version.current ? 'current ' : 'replaced'}  ${version.versionId}  ${version.format}  ${version.entries} entries  ${version.names} names  imported ${version.importedAt}  ${version.file}  sha256 ${version.sha256}\n`,
        )
  })

const CheckpointFile = Type.Object({
  createdAt: Type.String({ maxLength: 40 }),
  tips: Type.Array(
    Type.Object({
      region: Type.Union(REGIONS.map((region) => Type.Literal(region))),
      sequence: Type.Integer({ minimum: 0 }),
      hash: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    }),
    { maxItems: REGIONS.length },
  ),
  signature: Type.String({ pattern: '^[0-9a-f]{64}$' }),
})

const readCheckpoint = (file: string): AuditCheckpoint => {
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw new AppError('VALIDATION_ERROR', {
      message: `${file} is not a checkpoint file: ${error instanceof Error ? error.message : String(error)}`,
    })
  }
  if (!Value.Check(CheckpointFile, parsed))
    throw new AppError('VALIDATION_ERROR', {
      message: `${file} is not a checkpoint file (as \`verity audit checkpoint\` writes them)`,
    })
  return parsed
}

/**
 * Walks every region's audit chain. Exit 1 when any is broken, naming its first broken entry; the tip
 * of an intact chain is printed, and with a checkpoint each chain is checked to still hold the tip it
 * saw (a chain alone cannot show its last entries cut off, or itself rebuilt).
 */
export const auditVerify = (options: { json: boolean; checkpoint?: string }): Promise<void> =>
  withRuntime(async (runtime) => {
    const checkpoint = options.checkpoint === undefined ? undefined : readCheckpoint(options.checkpoint)
    const results = []
    for (const database of runtime.databases.all)
      results.push({ region: database.region, ...(await verifyAuditChain(database, runtime.keys)) })
    const against = checkpoint
      ? await checkAgainstCheckpoint(runtime.databases.all, runtime.keys, checkpoint)
      : []
    if (options.json) printJson(checkpoint ? { chains: results, checkpoint: against } : results)
    else {
      for (const result of results) {
        if (result.ok)
          process.stdout.write(
            `${result.region}: ${result.entries} entries verified${result.tip ? `; tip #${result.tip.sequence} ${result.tip.hash}` : ''}\n`,
          )
        else
          process.stderr.write(
            `${result.region}: audit chain broken at entry #${result.brokenAt} (${result.action}): ${result.explanation}; the ${result.entries} entries before it verified\n`,
          )
      }
      for (const check of against) {
        if (check.ok)
          process.stdout.write(
            `${check.region}: holds entry #${check.sequence} of the checkpoint of ${checkpoint?.createdAt}\n`,
          )
        else
          process.stderr.write(
            `${check.region}: checkpoint of ${checkpoint?.createdAt} at entry #${check.sequence}: ${check.explanation}\n`,
          )
      }
    }
    if (results.some((result) => !result.ok) || against.some((check) => !check.ok)) process.exitCode = 1
  })

/** Every region's chain tip, signed, as JSON: to keep outside the server and verify against later. */
export const auditCheckpoint = (): Promise<void> =>
  withRuntime(async (runtime) =>
    printJson(await takeCheckpoint(runtime.databases.all, runtime.keys, runtime.clock.now())),
  )

export type AuditListOptions = {
  subject?: string
  actor?: string
  action?: AuditAction
  limit: string
  json: boolean
}

const describeEntry = (entry: AuditEntry & { region: string }) =>
  `${entry.occurredAt}  ${entry.region} #${entry.sequence}  ${entry.actor}  ${entry.action}  ${entry.subject ? `${entry.subject.type} ${entry.subject.id}` : '-'}  ${JSON.stringify(entry.details)}`

/**
 * Merges the regions' listings by time, keeping each region's own order: within a chain the sequence
 * is the order, whatever the clocks of the processes that appended said.
 */
const newestFirst = <T extends { occurredAt: string }>(lists: T[][], limit: number): T[] => {
  const merged: T[] = []
  const heads = lists.map(() => 0)
  while (merged.length < limit) {
    let pick: number | undefined
    for (const [index, list] of lists.entries()) {
      const head = list[heads[index] ?? 0]
      const best = pick === undefined ? undefined : lists[pick]?.[heads[pick] ?? 0]
      if (head && (!best || head.occurredAt > best.occurredAt)) pick = index
    }
    if (pick === undefined) break
    merged.push(lists[pick]?.[heads[pick] ?? 0] as T)
    heads[pick] = (heads[pick] ?? 0) + 1
  }
  return merged
}

/** Audit entries of every region, newest first, filtered by subject id, actor and action. */
export const auditList = (options: AuditListOptions): Promise<void> =>
  withRuntime(async (runtime) => {
    const limit = Math.max(1, Math.min(1000, Number.parseInt(options.limit, 10) || 50))
    const filter = {
      limit,
      ...(options.subject === undefined ? {} : { subjectId: options.subject }),
      ...(options.actor === undefined ? {} : { actor: options.actor }),
      ...(options.action === undefined ? {} : { action: options.action }),
    }
    const perRegion = await Promise.all(
      runtime.databases.all.map(async (database) =>
        (await listAuditEntries(database.db, filter)).map((entry) => ({ region: database.region, ...entry })),
      ),
    )
    const entries = newestFirst(perRegion, limit)
    if (options.json) return printJson(entries)
    if (entries.length === 0) return void process.stdout.write('no audit entry\n')
    for (const entry of entries) process.stdout.write(`${describeEntry(entry)}\n`)
  })

// Staff are tenant-wide, like clients: they live in the home database.
const staffDeps = (runtime: Runtime): StaffDeps => ({
  db: runtime.databases.home.db,
  home: runtime.databases.home,
  clock: runtime.clock,
  keys: runtime.keys,
  config: runtime.config,
})

/**
 * Hands out new credentials: printed (as JSON, or as text with the enrolment's QR code for the
 * terminal) and, with --qr-svg, the QR code as an SVG file claimed before they were generated.
 */
const handOut = async <T extends { staff: StaffMember } & StaffCredentials>(
  options: { json: boolean; qrSvg?: string },
  generate: () => Promise<T>,
  describe: (handedOut: T) => { json: object; text: string },
) => {
  // Loaded here, not with every command: the QR code library is only for new credentials.
  const { claimNewFile, svgQr, terminalQr } = await import('./enrolment-qr.ts')
  const svgFile = options.qrSvg === undefined ? undefined : await claimNewFile(options.qrSvg)
  let handedOut: T
  try {
    handedOut = await generate()
  } catch (error) {
    await svgFile?.discard()
    throw error
  }
  const shown = describe(handedOut)
  if (options.json) printJson(shown.json)
  else process.stdout.write(`${shown.text}\n${await terminalQr(handedOut.otpauthUrl)}`)
  await svgFile?.write(await svgQr(handedOut.otpauthUrl))
}

export const staffCreate = (options: {
  email: string
  role: string
  json: boolean
  qrSvg?: string
}): Promise<void> =>
  withRuntime((runtime) =>
    handOut(
      options,
      () => createStaff(staffDeps(runtime), options, cliActor()),
      ({ staff, ...credentials }) => ({
        json: staffJson(staff, credentials),
        text: describeStaff(staff, credentials),
      }),
    ),
  )

export const staffList = (options: { json: boolean }): Promise<void> =>
  withRuntime(async (runtime) => {
    const members = await listStaff(staffDeps(runtime))
    if (options.json) return printJson(members.map((member) => staffJson(member)))
    if (members.length === 0) return void process.stdout.write('no staff member yet (verity staff create)\n')
    for (const member of members) process.stdout.write(`${describeStaff(member)}\n`)
  })

export const staffDisable = (options: { email: string; json: boolean }): Promise<void> =>
  withRuntime(async (runtime) => {
    const { staff, sessionsRevoked } = await disableStaff(staffDeps(runtime), options.email, cliActor())
    if (options.json) return printJson({ ...staffJson(staff), sessionsRevoked })
    process.stdout.write(`${describeStaff(staff)}\n  signed out of ${sessionsRevoked} session(s)\n`)
  })

export const staffEnable = (options: { email: string; json: boolean }): Promise<void> =>
  withRuntime(async (runtime) => {
    const { staff } = await enableStaff(staffDeps(runtime), options.email, cliActor())
    if (options.json) return printJson(staffJson(staff))
    process.stdout.write(`${describeStaff(staff)}\n`)
  })

export const staffReset = (options: { email: string; json: boolean; qrSvg?: string }): Promise<void> =>
  withRuntime((runtime) =>
    handOut(
      options,
      () => resetStaff(staffDeps(runtime), options.email, cliActor()),
      ({ staff, sessionsRevoked, ...credentials }) => ({
        json: { ...staffJson(staff, credentials), sessionsRevoked },
        text: `${describeStaff(staff, credentials)}\n  signed out of ${sessionsRevoked} session(s)${staff.status === 'disabled' ? '; still disabled' : ''}`,
      }),
    ),
  )
