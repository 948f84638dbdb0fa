import { generateSecret, generateURI, verifySync } from 'otplib'

/**
 * Time-based one-time passwords (RFC 6238) as every authenticator app computes them by default: HMAC-SHA-1,
 * 6 digits, a 30-second time step counted from the Unix epoch. Times come from the caller (the injected
 * clock), never from the system clock.
 */
export const TOTP_PERIOD_SECONDS = 30
export const TOTP_DIGITS = 6
const ISSUER = 'Verity'

/** A new secret: 20 random bytes (160 bits, RFC 4226's recommended length), base32 as apps expect it. */
export const newTotpSecret = (): string => generateSecret({ length: 20 })

/** The time step a moment (epoch ms) falls in. */
export const totpStep = (nowMs: number): number => Math.floor(nowMs / 1000 / TOTP_PERIOD_SECONDS)

/**
 * The time step whose code this is, or null when it is not a code of the current step or of the one
 * before or after it (a clock up to 30 s off either way), or when it is a code of a step at or before
 * `lastStep`: a code already used, or older than one that was, is refused even within its window, so an
 * observed code cannot be replayed. Recording the step it answers is the caller's job, and must be
 * conditional on it still being after the recorded one (two sign-ins with one code: one wins).
 */
export const acceptedTotpStep = (
  secret: string,
  code: string,
  nowMs: number,
  lastStep: number | null,
): number | null => {
  const token = code.replace(/\s+/g, '')
  if (!/^\d{6}$/.test(token)) return null
  // A step at or after the window's last was accepted while a clock ran ahead: nothing here is newer.
  if (lastStep !== null && lastStep >= totpStep(nowMs) + 1) return null
  const result = verifySync({
    strategy: 'totp',
    secret,
    token,
    algorithm: 'sha1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    epoch: Math.floor(nowMs / 1000),
    epochTolerance: TOTP_PERIOD_SECONDS,
    ...(lastStep === null ? {} : { afterTimeStep: lastStep }),
  })
  // The functional API's result type also covers HOTP, which has no time step.
  return result.valid && 'timeStep' in result ? result.timeStep : null
}

/** The enrolment link an authenticator app reads (as text or from a QR code). */
export const otpauthUrl = (secret: string, email: string): string =>
  generateURI({
    issuer: ISSUER,
    label: email,
    secret,
    algorithm: 'sha1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
  })
