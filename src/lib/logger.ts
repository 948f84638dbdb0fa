import { type DestinationStream, type LoggerOptions, type Logger as PinoLogger, pino } from 'pino'

export type Logger = PinoLogger

/**
 * Paths never written to the logs. Credentials and personal data are censored wherever they appear
 * in a logged object; request logging (src/http/request-log.ts) never logs headers, bodies, paths or
 * query strings: only the route template.
 */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'secretKey',
  '*.secretKey',
  'secret_hash',
  '*.secret_hash',
  'accessToken',
  '*.accessToken',
  'token',
  '*.token',
  'ssn',
  '*.ssn',
  'otpCode',
  '*.otpCode',
  'verificationCode',
  '*.verificationCode',
  'documentNumber',
  '*.documentNumber',
  'sessionUrl',
  '*.sessionUrl',
  'headers.authorization',
  'headers.cookie',
  'headers["x-secret-key"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-secret-key"]',
]

export const loggerOptions = (level: string): LoggerOptions => ({
  level,
  redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  base: { service: 'verity' },
  timestamp: pino.stdTimeFunctions.isoTime,
})

/**
 * Logs go to stdout without blocking the event loop: the line is handed to the kernel asynchronously
 * (pino's SonicBoom), instead of a synchronous write per line in the middle of a request. pino writes
 * what is still pending synchronously when the process exits, shutdown and fatal errors included.
 */
export const createLogger = (level: string, destination?: DestinationStream): Logger =>
  pino(loggerOptions(level), destination ?? pino.destination({ dest: 1, sync: false }))
