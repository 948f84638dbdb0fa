import { open, unlink } from 'node:fs/promises'
import QRCode from 'qrcode'
import { AppError } from '../lib/errors.ts'

/**
 * The TOTP enrolment as a QR code for an authenticator app's camera: the otpauth:// URI, which holds the
 * secret. Shown only by the CLI that just generated it (never on a web page), like the secret itself.
 */
export const terminalQr = (otpauthUri: string): Promise<string> =>
  QRCode.toString(otpauthUri, { type: 'terminal', small: true, errorCorrectionLevel: 'M' })

export const svgQr = (otpauthUri: string): Promise<string> =>
  QRCode.toString(otpauthUri, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 })

/**
 * Claims a file for the SVG before the credentials exist: it must be new (an existing file is refused
 * before any account changes) and is readable by its owner only, since the picture is the secret.
 */
export const claimNewFile = async (file: string) => {
  const handle = await open(file, 'wx', 0o600).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error
    throw new AppError('VALIDATION_ERROR', {
      message: `--qr-svg ${file} already exists; nothing was changed (name a new file)`,
    })
  })
  return {
    write: async (content: string) => {
      try {
        await handle.writeFile(content)
      } finally {
        await handle.close()
      }
    },
    discard: async () => {
      await handle.close()
      await unlink(file)
    },
  }
}
