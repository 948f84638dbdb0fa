import { Type } from 'typebox'

/**
 * Every environment variable the server reads. Defaults make `npm start` work on a fresh machine
 * (SQLite files under DATA_DIR, in-process worker); production tightens them (see config.ts).
 */
const Bool = Type.Boolean()
const Fraction = (defaultValue: number, description: string) =>
  Type.Number({ minimum: 0, maximum: 1, default: defaultValue, description })
const IntAtLeast = (minimum: number, defaultValue: number, description: string) =>
  Type.Integer({ minimum, default: defaultValue, description })
const Between = (minimum: number, maximum: number, defaultValue: number, description: string) =>
  Type.Number({ minimum, maximum, default: defaultValue, description })
const Share = (defaultValue: number, description: string) =>
  Type.Number({ minimum: 0, maximum: 1, default: defaultValue, description })

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
  CHALLENGE_ANSWER_SECONDS: IntAtLeast(
    10,
    120,
    "Time from a live selfie to its active challenge's frames; later frames are refused (the selfie is taken again).",
  ),
  ADDRESS_DOCUMENT_MAX_AGE_MONTHS: Type.Integer({
    minimum: 1,
    maximum: 24,
    default: 3,
    description:
      'A proof of address must be dated within this many calendar months before the check; an older one asks the user for a recent one.',
  }),
  ADDRESS_MATCH_THRESHOLD: Type.Number({
    minimum: 0.5,
    maximum: 1,
    default: 0.9,
    description:
      'Least Jaro-Winkler similarity (0–1) at which a word of the registered name or street counts as found in the proof of address (house numbers and the postcode must match exactly).',
  }),
  ADDRESS_OCR_MIN_CONFIDENCE: Type.Number({
    minimum: 0,
    maximum: 100,
    default: 60,
    description:
      "Least OCR confidence (tesseract's mean word confidence, 0–100) at which a photographed proof of address counts as read; below it the user is asked for a clearer photo.",
  }),
  NAME_NEAR_MISS_THRESHOLD: Fraction(
    0.85,
    'Registered vs document name: below exact (or middle names on one side only), a mutual Jaro-Winkler score at least this goes to review as a near miss; below it the names do not match (declined).',
  ),
  SANCTIONS_ALERT_THRESHOLD: Fraction(
    0.8,
    "Sanctions screening: a name score (after date of birth and nationality) at least this is a match, reviewed by a person (Watchman's precision 0.99 point).",
  ),
  SANCTIONS_REVIEW_THRESHOLD: Fraction(
    0.7,
    'Sanctions screening: a score at least this (and below the alert threshold) is a possible match, reviewed by a person; below it the name is clear.',
  ),
  WORKER_CONCURRENCY: IntAtLeast(1, 2, 'Jobs one worker process runs at once.'),
  CHECK_TIMEOUT_MS: IntAtLeast(
    1000,
    120_000,
    "Deadline of one submission's analysis; past it the analysis thread is replaced and the job retried.",
  ),
  CHECK_THREADS: IntAtLeast(
    1,
    1,
    'Analysis threads per analyzer group (faces; document readers) in one worker process: each group loads only its own models.',
  ),
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
  INTL_ACCEPTED_DOCUMENT_TYPES: Type.String({
    default: 'passport,id_card,driving_licence,residence_permit',
    description:
      'Document types the intl region accepts (comma list of passport, id_card, driving_licence, residence_permit); a client may narrow it.',
  }),
  INTL_ACCEPTED_ISSUING_COUNTRIES: Type.String({
    default: 'any',
    description:
      'Issuing countries the intl region accepts: any, or a comma list of ISO 3166-1 alpha-2 codes; a client may narrow it.',
  }),
  INTL_RESTRICTED_COUNTRIES: Type.String({
    default: 'CU,IR,KP,SY',
    description:
      'Countries of residence or document issue the intl region refuses (RESTRICTED_COUNTRY): alpha-2 comma list, or none; a client may add to it.',
  }),
  INTL_MINIMUM_AGE: Type.Integer({
    minimum: 1,
    maximum: 120,
    default: 18,
    description:
      'Minimum age in the intl region, from the document (UNDERAGE below it); a client may raise it.',
  }),
  US_ACCEPTED_DOCUMENT_TYPES: Type.String({
    default: 'passport,id_card,driving_licence,residence_permit',
    description:
      'Document types the us region accepts (comma list of passport, id_card, driving_licence, residence_permit); a client may narrow it.',
  }),
  US_ACCEPTED_ISSUING_COUNTRIES: Type.String({
    default: 'any',
    description:
      'Issuing countries the us region accepts: any, or a comma list of ISO 3166-1 alpha-2 codes; a client may narrow it.',
  }),
  US_RESTRICTED_COUNTRIES: Type.String({
    default: 'CU,IR,KP,SY',
    description:
      'Countries of residence or document issue the us region refuses (RESTRICTED_COUNTRY): alpha-2 comma list, or none; a client may add to it.',
  }),
  US_MINIMUM_AGE: Type.Integer({
    minimum: 1,
    maximum: 120,
    default: 18,
    description:
      'Minimum age in the us region, from the document (UNDERAGE below it); a client may raise it.',
  }),
  FACE_MATCH_THRESHOLD: Between(
    0,
    1,
    0.69,
    'Cosine similarity (Human faceres) from which the selfie and the document portrait are the same person; chosen so that no impostor of the labelled set reaches it (docs/decisions.md).',
  ),
  FACE_REVIEW_THRESHOLD: Between(
    0,
    1,
    0.6,
    'Below this similarity the faces are different people (FACE_MISMATCH, rejected); from it up to FACE_MATCH_THRESHOLD a person compares them. Also where a challenge frame counts as another face.',
  ),
  FACE_MIN_SCORE: Between(
    0,
    1,
    0.7,
    'Detector confidence from which a face counts (one face in the selfie, one per challenge frame).',
  ),
  LIVENESS_YAW_DEGREES: Between(
    1,
    90,
    15,
    "How far the head must turn, left or right, from the pose before (the selfie's, then the previous frame's) for a challenge step to count.",
  ),
  LIVENESS_PITCH_DEGREES: Between(
    1,
    90,
    10,
    "How far the head must tilt, up or down, from the pose before (the selfie's, then the previous frame's) for a challenge step to count.",
  ),
  USABILITY_MIN_DOCUMENT_PIXELS: IntAtLeast(
    1,
    400,
    'Shortest side, in photo pixels, of the document in a document photo; smaller asks for a closer photo (IMAGE_TOO_SMALL).',
  ),
  USABILITY_MIN_SHARPNESS: Type.Number({
    minimum: 0,
    default: 50,
    description:
      'Variance of the Laplacian of the squared document at 800 px wide below which the photo is blurry (IMAGE_BLURRY). Synthetic licences: sharp 280-960, Gaussian blur sigma 1.5: 107-364, sigma 2.5: 24-61, sigma 4: 7-15.',
  }),
  USABILITY_MIN_BRIGHTNESS: IntAtLeast(
    0,
    60,
    'Mean grey level (0-255) of the document (of the whole photo when no document is found) below which it is too dark (IMAGE_TOO_DARK); also the selfie.',
  ),
  USABILITY_MAX_WASHED_OUT_SHARE: Share(
    0.3,
    'Share of the document at grey level 250 or more above which the photo is over-exposed (IMAGE_OVEREXPOSED).',
  ),
  USABILITY_MAX_GLARE_SHARE: Share(
    0.01,
    'Largest saturated (grey 253+) patch, as a share of the document, above which a reflection hides part of it (IMAGE_GLARE).',
  ),
  USABILITY_MIN_SELFIE_PIXELS: IntAtLeast(
    1,
    480,
    'Shortest side of the selfie photo in pixels; smaller is refused as IMAGE_TOO_SMALL.',
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
  REVIEW_ASSIGNMENT_MINUTES: IntAtLeast(
    1,
    15,
    'A case opened in the console is assigned to that reviewer this long; another reviewer cannot decide it meanwhile.',
  ),
  REVIEW_SLA_MINUTES: IntAtLeast(
    1,
    30,
    'The console review queue marks a case waiting longer than this as past its target.',
  ),
  STAFF_IDLE_TIMEOUT_MS: IntAtLeast(
    10_000,
    15 * 60_000,
    'A console (staff) session unused this long ends; the staff member signs in again.',
  ),
  STAFF_SESSION_MAX_MS: IntAtLeast(
    60_000,
    8 * 60 * 60_000,
    'A console (staff) session ends this long after its sign-in, however active (absolute timeout).',
  ),
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
