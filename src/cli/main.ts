import { Argument, Command, Option } from 'commander'
import { ConfigError } from '../config/config-error.ts'
import { loadDotEnv } from '../config/dotenv.ts'
import { AUDIT_ACTIONS, REVIEW_ACTIONS, SANCTIONS_FORMATS, STAFF_ROLES } from '../db/schema.ts'
import { AppError } from '../lib/errors.ts'

// The commands (and the server behind them) load only when one runs, so `--help` answers at once.
const commands = () => import('./commands.ts')
const collect = (value: string, previous: string[]) => [...previous, value]

export const buildCli = (): Command => {
  const program = new Command('verity')
    .description('Verity: self-hostable identity verification (KYC) server')
    .showHelpAfterError()
    .addOption(new Option('--env-file <file>', 'read variables from this file first').default('.env'))
    .hook('preAction', (command) => loadDotEnv(command.opts<{ envFile: string }>().envFile))

  program
    .command('serve')
    .description('run the API, the hosted pages and an in-process worker')
    .option('--no-worker', 'do not run jobs in this process (run `verity worker` separately)')
    .action(async (options) => (await commands()).serve(options))

  program
    .command('worker')
    .description('run jobs only (scale out by starting several)')
    .action(async () => (await commands()).work())

  program
    .command('migrate')
    .description("bring every region's database to the latest schema")
    .option('--status', 'only show applied and pending migrations', false)
    .action(async (options) => (await commands()).migrate(options))

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
    .option(
      '--public',
      'a public OAuth client (mobile app): PKCE only, no secret at the token endpoint',
      false,
    )
    .option('--json', 'print one JSON object', false)
    .action(async (options) => (await commands()).clientCreate(options))

  client
    .command('list')
    .description('list clients')
    .option('--json', 'print a JSON array', false)
    .action(async (options) => (await commands()).clientList(options))

  client
    .command('rotate-secret')
    .description('issue a new secret key (shown once); the old one stops working at once')
    .argument('<client>', 'client id (cli_…) or client key')
    .option('--json', 'print one JSON object', false)
    .action(async (idOrKey, options) => (await commands()).clientRotateSecret(idOrKey, options))

  client
    .command('disable')
    .description('disable a client: its key is refused (498) from now on')
    .argument('<client>', 'client id (cli_…) or client key')
    .option('--json', 'print one JSON object', false)
    .action(async (idOrKey, options) => (await commands()).clientDisable(idOrKey, options))

  client
    .command('policy')
    .description(
      "show or set the documents a client accepts; its settings only narrow its regions' (INTL_/US_ variables)",
    )
    .argument('<client>', 'client id (cli_…) or client key')
    .option(
      '--document-types <list>',
      'accepted types, a subset of passport,id_card,driving_licence,residence_permit; "region": the region\'s',
    )
    .option(
      '--issuing-countries <list>',
      'accepted issuing countries, alpha-2 (DE,FR); "region": the region\'s',
    )
    .option(
      '--restricted-countries <list>',
      'countries of residence or issue refused on top of the region\'s, alpha-2; "none" for no more',
    )
    .option('--minimum-age <years>', 'minimum age, above the region\'s; "region": the region\'s')
    .option('--json', 'print one JSON object', false)
    .action(async (idOrKey, options) => (await commands()).clientPolicy(idOrKey, options))

  const user = program
    .command('user')
    .description('operate on one end user (found in whichever region holds it)')
  user
    .command('show')
    .description('print the user as JSON (SSN masked)')
    .argument('<userId>', 'the user id (UUID)')
    .action(async (userId) => (await commands()).userShow(userId))
  user
    .command('suspend')
    .description("refuse logins (403) and the user's tokens (403) until unsuspended")
    .argument('<userId>', 'the user id (UUID)')
    .action(async (userId) => (await commands()).userSuspend(userId, true))
  user
    .command('unsuspend')
    .description('allow the user again')
    .argument('<userId>', 'the user id (UUID)')
    .action(async (userId) => (await commands()).userSuspend(userId, false))
  user
    .command('otp')
    .description('require (on) or stop requiring (off) an SMS code at every login')
    .argument('<userId>', 'the user id (UUID)')
    .argument('<setting>', 'on or off')
    .action(async (userId, setting) => (await commands()).userOtp(userId, setting))

  const review = program
    .command('review')
    .description('decide the submissions the automated checks sent to a person')
  review
    .command('list')
    .description('the cases waiting for a decision, oldest first, every region')
    .option('--limit <n>', 'how many cases', '100')
    .option('--json', 'print a JSON array', false)
    .action(async (options) => (await commands()).reviewList(options))
  review
    .command('show')
    .description('one case as JSON: the session, the user and what was checked, earlier reviews')
    .argument('<sessionId>', 'the verification session id (ses_…)')
    .action(async (sessionId) => (await commands()).reviewShow(sessionId))
  review
    .command('decide')
    .description(
      'approve, reject or ask for new photos (resubmit); recorded with the reviewer. A sanctions rejection, or an approval of a case with a sanctions or duplicate finding, is only proposed: it waits for `review confirm` by another reviewer',
    )
    .argument('<sessionId>', 'the verification session id (ses_…)')
    .addArgument(new Argument('<action>', 'the decision').choices(REVIEW_ACTIONS))
    .option('--reason <code>', 'reason code from the catalogue (docs/api.md); required to reject or resubmit')
    .option('--note <text>', 'why, for the audit trail (never shown to the user)')
    .requiredOption('--reviewer <email>', 'who decides')
    .action(async (sessionId, action, options) => (await commands()).reviewDecide(sessionId, action, options))
  review
    .command('confirm')
    .description('confirm the decision another reviewer proposed on a case (four-eyes): it takes effect')
    .argument('<sessionId>', 'the verification session id (ses_…)')
    .option('--pending <id>', 'the proposal (pdd_…); by default the one waiting on the case')
    .requiredOption('--reviewer <email>', 'who confirms (not the proposer)')
    .action(async (sessionId, options) => (await commands()).reviewConfirm(sessionId, options))
  review
    .command('withdraw')
    .description('take back the decision you proposed on a case (four-eyes), before it is confirmed')
    .argument('<sessionId>', 'the verification session id (ses_…)')
    .option('--pending <id>', 'the proposal (pdd_…); by default the one waiting on the case')
    .requiredOption('--reviewer <email>', 'who proposed it')
    .action(async (sessionId, options) => (await commands()).reviewWithdraw(sessionId, options))

  review
    .command('alerts')
    .description('sanctions alerts on verified users (re-screening after an import), oldest first')
    .option('--all', 'resolved alerts too', false)
    .option('--limit <n>', 'how many alerts', '100')
    .option('--json', 'print a JSON array', false)
    .action(async (options) => (await commands()).reviewAlerts(options))
  review
    .command('alert')
    .description(
      'resolve a sanctions alert: clear (not the listed person) or confirm; the state is not changed',
    )
    .argument('<alertId>', 'the alert id (sca_…)')
    .addArgument(new Argument('<action>', 'the resolution').choices(['clear', 'confirm']))
    .option('--note <text>', 'why, for the audit trail; required to confirm')
    .requiredOption('--reviewer <email>', 'who resolves it')
    .action(async (alertId, action, options) => (await commands()).reviewAlert(alertId, action, options))

  const sanctions = program.command('sanctions').description("the operator's sanctions lists")
  sanctions
    .command('import')
    .description('import a list file as the new version of its list (atomic); verified users are re-screened')
    .argument('<file>', 'the list file')
    .addOption(
      new Option('--format <format>', 'the file format (guessed from the file when absent)').choices(
        SANCTIONS_FORMATS,
      ),
    )
    .option(
      '--list <name>',
      'the list it is a version of (default ofac-sdn / un-consolidated; required for csv)',
    )
    .option('--aliases <file>', "OFAC only: alt.csv, the aliases of sdn.csv's entries")
    .option('--json', 'print one JSON object', false)
    .action(async (file, options) => (await commands()).sanctionsImport(file, options))
  sanctions
    .command('list')
    .description('the imported lists: versions, entry counts, file hashes')
    .option('--json', 'print a JSON array', false)
    .action(async (options) => (await commands()).sanctionsList(options))

  const audit = program
    .command('audit')
    .description('the tamper-evident audit log (hash-chained, one chain per region)')
  audit
    .command('verify')
    .description('walk every chain; exit 1 naming the first broken entry')
    .option('--json', 'print a JSON array, one result per region', false)
    .option(
      '--checkpoint <file>',
      'also check that each chain still holds the tip this checkpoint saw (none cut off or rebuilt)',
    )
    .action(async (options) => (await commands()).auditVerify(options))
  audit
    .command('checkpoint')
    .description(
      "print every region's chain tip, signed, as JSON: keep it elsewhere, verify against it later",
    )
    .action(async () => (await commands()).auditCheckpoint())
  audit
    .command('list')
    .description('audit entries of every region, newest first')
    .option('--subject <id>', 'only entries about this id (a session, user, client, alert, staff member)')
    .option('--actor <actor>', 'only entries by this actor (staff:<id>, cli:<name>, client:<id>, system)')
    .addOption(new Option('--action <action>', 'only entries of this action').choices(AUDIT_ACTIONS))
    .option('--limit <n>', 'how many entries', '50')
    .option('--json', 'print a JSON array', false)
    .action(async (options) => (await commands()).auditList(options))
  const staff = program
    .command('staff')
    .description("the compliance console's staff: admin, reviewer, auditor (read-only)")
  staff
    .command('create')
    .description('create a staff member; a generated password and TOTP secret are shown once')
    .requiredOption('--email <email>', 'their email (unique, whatever the case)')
    .addOption(
      new Option('--role <role>', 'what they may do in the console')
        .choices(STAFF_ROLES)
        .makeOptionMandatory(),
    )
    .option('--json', 'print one JSON object', false)
    .option('--qr-svg <file>', 'also write the enrolment QR code as SVG to this new file (mode 600)')
    .action(async (options) => (await commands()).staffCreate(options))
  staff
    .command('list')
    .description('list staff members with their role and status')
    .option('--json', 'print a JSON array', false)
    .action(async (options) => (await commands()).staffList(options))
  staff
    .command('disable')
    .description('refuse their sign-in from now on and sign them out everywhere')
    .requiredOption('--email <email>', 'their email (or their id, stf_…)')
    .option('--json', 'print one JSON object', false)
    .action(async (options) => (await commands()).staffDisable(options))
  staff
    .command('enable')
    .description('let a disabled member sign in again (with the credentials they had)')
    .requiredOption('--email <email>', 'their email (or their id, stf_…)')
    .option('--json', 'print one JSON object', false)
    .action(async (options) => (await commands()).staffEnable(options))
  staff
    .command('reset')
    .description('a new password and TOTP secret (shown once); signs them out everywhere')
    .requiredOption('--email <email>', 'their email (or their id, stf_…)')
    .option('--json', 'print one JSON object', false)
    .option('--qr-svg <file>', 'also write the enrolment QR code as SVG to this new file (mode 600)')
    .action(async (options) => (await commands()).staffReset(options))

  program
    .command('outbox')
    .description('print development mail and SMS (sent there when SMTP_URL / SMS_WEBHOOK_URL are not set)')
    .option('--limit <n>', 'how many messages, newest first', '20')
    .option('--json', 'print a JSON array', false)
    .action(async (options) => (await commands()).outbox(options))

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
