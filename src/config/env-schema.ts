import { Type } from 'typebox'

/**
 * Every environment variable the server reads. Defaults make `npm start` work on a fresh machine
 * (SQLite files under DATA_DIR, in-process worker); production tightens them (see config.ts).
 */
const Bool = Type.Boolean()
const IntAtLeast = (minimum: number, defaultValue: number, description: string) =>
  Type.Integer({ minimum, default: defaultValue, description })

export const EnvSchema = Type.Object({
  NODE_ENV: Type.Union([Type.Literal('development'), Type.Literal('production'), Type.Literal('test')], {
    default: 'development',
    description:
      'development | production | test. production requires SERVER_SECRET and disables the demo client.',
  }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1', description: 'Interface to listen on.' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000, description: 'TCP port.' }),
  PUBLIC_URL: Type.Optional(
    Type.String({
      pattern: '^https?://[^\\s/]+(/[^\\s]*)?$',
      description:
        'Absolute base URL that end users reach (session links). Defaults to http://localhost:PORT.',
    }),
  ),
  DATA_DIR: Type.String({
    minLength: 1,
    default: './data',
    description: 'SQLite files, secrets and documents.',
  }),
  DATABASE_URL: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'intl region database: postgres://… or sqlite:PATH. Default: sqlite file in DATA_DIR.',
    }),
  ),
  US_DATABASE_URL: Type.Optional(
    Type.String({ minLength: 1, description: 'us region database, same forms as DATABASE_URL.' }),
  ),
  SERVER_SECRET: Type.Optional(
    Type.String({
      minLength: 43,
      description:
        'At least 32 random bytes (base64/hex). Keys for encryption and MACs are derived from it. Generated into DATA_DIR outside production.',
    }),
  ),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
    { default: 'info', description: 'pino log level.' },
  ),
  TRUST_PROXY: Type.String({
    default: 'false',
    description:
      'Reverse proxies whose X-Forwarded-* headers are believed: false, a hop count (1 = one proxy in front), or a comma list of proxy addresses/CIDRs (loopback, linklocal, uniquelocal also accepted). true is refused.',
  }),
  BODY_LIMIT_BYTES: IntAtLeast(1024, 1_048_576, 'Largest JSON body accepted (413 beyond).'),
  HTTP_HEADERS_TIMEOUT_MS: IntAtLeast(
    100,
    15_000,
    'Time a client has to send the request line and headers (slowloris guard); 408 and closed beyond.',
  ),
  HTTP_REQUEST_TIMEOUT_MS: IntAtLeast(
    100,
    120_000,
    'Time a client has to send a whole request, body included (a 15 MB photo on a slow phone line).',
  ),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: IntAtLeast(
    100,
    10_000,
    'How long an idle keep-alive connection stays open; above the idle timeout of a load balancer in front.',
  ),
  HTTP_CONNECTION_TIMEOUT_MS: IntAtLeast(
    100,
    60_000,
    'A connection on which nothing arrives or leaves for this long is closed.',
  ),
  MIGRATE_ON_BOOT: Type.Boolean({
    default: true,
    description: 'Run pending migrations when serve/worker start.',
  }),
  DEMO_CLIENT: Type.Boolean({
    default: true,
    description: 'Create and print a sandbox demo client on first start (never in production).',
  }),
  SMTP_URL: Type.Optional(
    Type.String({
      pattern: '^smtps?://',
      description:
        'Mail server, e.g. smtps://user:pass@mail.example.com:465. Without it (outside production) mail goes to the outbox.',
    }),
  ),
  MAIL_FROM: Type.String({
    minLength: 3,
    default: 'Verity <no-reply@localhost>',
    description: 'From address of outgoing mail.',
  }),
  SMS_WEBHOOK_URL: Type.Optional(
    Type.String({
      pattern: '^https?://',
      description:
        'SMS gateway endpoint that receives POST {"to","body"}. Without it (outside production) SMS go to the outbox.',
    }),
  ),
  SMS_WEBHOOK_TOKEN: Type.Optional(
    Type.String({ minLength: 1, description: 'Bearer token sent to SMS_WEBHOOK_URL.' }),
  ),
  SMS_HOURLY_BUDGET_PER_CLIENT: IntAtLeast(
    1,
    500,
    'SMS one client may send per clock hour and region; beyond it code requests get 429.',
  ),
  EMAIL_HOURLY_BUDGET_PER_CLIENT: IntAtLeast(
    1,
    1000,
    'Emails one client may send per clock hour and region; beyond it code requests get 429.',
  ),
  CODES_PER_ADDRESS_HOURLY_CEILING: IntAtLeast(
    1,
    20,
    'Codes one email address or phone number may receive per rolling hour from all clients together.',
  ),
  TERMS_URL: Type.Optional(
    Type.String({ pattern: '^https?://', description: 'Terms of service link shown by /v1/auth/settings.' }),
  ),
  PRIVACY_URL: Type.Optional(
    Type.String({ pattern: '^https?://', description: 'Privacy policy link shown by /v1/auth/settings.' }),
  ),
  DOCUMENT_RETENTION_DAYS: IntAtLeast(
    1,
    30,
    'Days document images are kept after the decision (or the expiry of an unsubmitted session); decisions stay.',
  ),
  DECODE_CONCURRENCY: IntAtLeast(1, 2, 'Uploaded photos one server process decodes at once.'),
  DECODE_QUEUE: IntAtLeast(
    0,
    8,
    'Uploads that may wait for a decode slot; beyond that an upload is answered 503 with Retry-After.',
  ),
  DECODE_TIMEOUT_MS: IntAtLeast(
    1,
    15_000,
    'Deadline of one photo decode; a photo that takes longer is refused.',
  ),
  WORKER_CONCURRENCY: IntAtLeast(1, 2, 'Jobs one worker process runs at once.'),
  JOB_POLL_INTERVAL_MS: IntAtLeast(10, 500, 'How often an idle worker looks for jobs.'),
  JOB_VISIBILITY_TIMEOUT_MS: IntAtLeast(
    1000,
    60_000,
    'A claimed job returns to the queue if its worker is silent this long.',
  ),
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: Type.Optional(
    Type.Boolean({
      description:
        'Allow webhook deliveries to private, loopback and link-local addresses. Default: true in development and test, false in production.',
    }),
  ),
  WEBHOOK_TIMEOUT_MS: IntAtLeast(
    100,
    15_000,
    'How long one webhook delivery may take (connect, send, answer) before it counts as failed.',
  ),
  METRICS_TOKEN: Type.Optional(
    Type.String({
      minLength: 16,
      description:
        'When set, /metrics answers only to Authorization: Bearer <METRICS_TOKEN> (401 otherwise).',
    }),
  ),
  MRZ_PASS_MIN_SCORE: Type.Number({
    minimum: 0,
    maximum: 1,
    default: 0.5,
    description:
      'An MRZ read passes only when every glyph matched its template at least this well (correlation), besides every check digit holding: the names have no check digit, and a poorly matched glyph there may be misread. Below it, a person reviews.',
  }),
  MRZ_TAMPER_MIN_SCORE: Type.Number({
    minimum: 0,
    maximum: 1,
    default: 0.7,
    description:
      'An MRZ check digit that fails after repair rejects the document as altered only when every glyph it covers matched its template at least this well (correlation); otherwise a person reviews it.',
  }),
  MRZ_TAMPER_MIN_MARGIN: Type.Number({
    minimum: 0,
    maximum: 1,
    default: 0.1,
    description:
      'The same, for the lead of each of those glyphs over its runner-up: below it the glyph may have been misread, and the case goes to review.',
  }),
  SHUTDOWN_GRACE_MS: IntAtLeast(
    0,
    10_000,
    'How long SIGTERM waits for requests and jobs before releasing them.',
  ),
})

export const BooleanFields = new Set(
  Object.entries(EnvSchema.properties)
    .filter(([, schema]) => (schema as { type?: string }).type === Bool.type)
    .map(([name]) => name),
)
