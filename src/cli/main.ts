import closeWithGrace from 'close-with-grace'
import { Command, Option } from 'commander'
import { ConfigError, loadConfig, loadDotEnv } from '../config/config.ts'
import { openDatabases } from '../db/database.ts'
import { migrateToLatest, migrationStatus } from '../db/migrate.ts'
import { AppError } from '../lib/errors.ts'
import { createLogger } from '../lib/logger.ts'
import { ensureDemoClient } from '../modules/clients/demo.ts'
import { createClient, disableClient, listClients, rotateClientSecret } from '../modules/clients/service.ts'
import { createApp, createWorker, openRuntime, type Runtime } from '../runtime.ts'
import { clientJson, describeClient, firstStartWalkthrough, printJson } from './output.ts'

const collect = (value: string, previous: string[]) => [...previous, value]

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

const serve = async (options: { worker: boolean }) => {
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

  if (config.DEMO_CLIENT) {
    const demo = await ensureDemoClient(runtime, config.PUBLIC_URL)
    if (demo)
      process.stdout.write(
        firstStartWalkthrough(config.PUBLIC_URL, demo.client, demo.created ? demo.secretKey : undefined),
      )
  }
  await app.listen({ host: config.HOST, port: config.PORT })
  worker?.start()
  runtime.log.info(
    {
      url: config.PUBLIC_URL,
      worker: Boolean(worker),
      dialects: runtime.databases.all.map((d) => `${d.region}:${d.dialect}`),
    },
    'verity is serving',
  )
}

const work = async () => {
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

const migrate = async (options: { status: boolean }) => {
  const config = loadConfig()
  const databases = openDatabases(config.databases)
  try {
    for (const database of databases.all) {
      if (options.status) {
        const { applied, pending } = await migrationStatus(database)
        process.stdout.write(
          `${database.region} (${database.dialect}): ${applied.length} applied, pending: ${pending.join(', ') || 'none'}\n`,
        )
      } else {
        const { results = [] } = await migrateToLatest(database)
        const names = results.map((result) => result.migrationName)
        process.stdout.write(
          `${database.region} (${database.dialect}): ${names.length > 0 ? `applied ${names.join(', ')}` : 'up to date'}\n`,
        )
      }
    }
  } finally {
    await databases.destroy()
  }
}

export const buildCli = (): Command => {
  const program = new Command('verity')
    .description('Verity: self-hostable identity verification (KYC) server')
    .showHelpAfterError()
    .configureHelp({ showGlobalOptions: true })

  program
    .command('serve')
    .description('run the API, the hosted pages and an in-process worker')
    .option('--no-worker', 'do not run jobs in this process (run `verity worker` separately)')
    .action(serve)

  program.command('worker').description('run jobs only (scale out by starting several)').action(work)

  program
    .command('migrate')
    .description("bring every region's database to the latest schema")
    .option('--status', 'only show applied and pending migrations', false)
    .action(migrate)

  const client = program.command('client').description('manage API clients (tenants)')

  client
    .command('create')
    .description('create a client; its secret key is shown once')
    .requiredOption('--name <name>', 'display name')
    .option('--sandbox', 'sandbox mode: magic test users and codes, never real checks', false)
    .option('--regions <list>', 'comma-separated regions it may use: intl,us', 'intl')
    .option('--redirect-uri <url>', 'allowed OAuth redirect URI (repeatable)', collect, [])
    .option(
      '--origin <origin>',
      'browser origin allowed to call the API with its key (repeatable)',
      collect,
      [],
    )
    .option('--json', 'print one JSON object', false)
    .action(
      async (options: {
        name: string
        sandbox: boolean
        regions: string
        redirectUri: string[]
        origin: string[]
        json: boolean
      }) =>
        withRuntime(async (runtime) => {
          const { client: created, secretKey } = await createClient(runtime, {
            name: options.name,
            mode: options.sandbox ? 'sandbox' : 'live',
            regions: options.regions.split(','),
            redirectUris: options.redirectUri,
            allowedOrigins: options.origin,
          })
          if (options.json) printJson(clientJson(created, secretKey))
          else process.stdout.write(`${describeClient(created, secretKey)}\n`)
        }),
    )

  client
    .command('list')
    .description('list clients')
    .option('--json', 'print a JSON array', false)
    .action(async (options: { json: boolean }) =>
      withRuntime(async (runtime) => {
        const clients = await listClients(runtime)
        if (options.json) printJson(clients.map((entry) => clientJson(entry)))
        else
          process.stdout.write(
            clients.length === 0
              ? 'no clients\n'
              : `${clients.map((entry) => describeClient(entry)).join('\n\n')}\n`,
          )
      }),
    )

  client
    .command('rotate-secret')
    .description('issue a new secret key (shown once); the old one stops working at once')
    .argument('<client>', 'client id (cli_…) or client key')
    .option('--json', 'print one JSON object', false)
    .action(async (idOrKey: string, options: { json: boolean }) =>
      withRuntime(async (runtime) => {
        const { client: rotated, secretKey } = await rotateClientSecret(runtime, idOrKey)
        if (options.json) printJson(clientJson(rotated, secretKey))
        else process.stdout.write(`${describeClient(rotated, secretKey)}\n`)
      }),
    )

  client
    .command('disable')
    .description('disable a client: its key is refused (498) from now on')
    .argument('<client>', 'client id (cli_…) or client key')
    .option('--json', 'print one JSON object', false)
    .action(async (idOrKey: string, options: { json: boolean }) =>
      withRuntime(async (runtime) => {
        const disabled = await disableClient(runtime, idOrKey)
        if (options.json) printJson(clientJson(disabled))
        else process.stdout.write(`${describeClient(disabled)}\n`)
      }),
    )

  program.addOption(new Option('--env-file <file>', 'read variables from this file first').default('.env'))
  program.hook('preAction', (command) => {
    const { envFile } = command.opts<{ envFile: string }>()
    loadDotEnv(envFile)
  })
  return program
}

const reportFailure = (error: unknown): never => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`)
  } else if (error instanceof AppError) {
    const fields = (error.body?.errors as { field: string; message: string }[] | undefined) ?? []
    process.stderr.write(
      `error: ${error.publicMessage}\n${fields.map((f) => `  ${f.field}: ${f.message}\n`).join('')}`,
    )
  } else {
    process.stderr.write(
      `error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    )
  }
  process.exit(1)
}

await buildCli().parseAsync(process.argv).catch(reportFailure)
