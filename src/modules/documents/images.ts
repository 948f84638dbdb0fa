import { AppError } from '../../lib/errors.ts'
import { decodeHeicOffThread } from './heic.ts'

// sharp (libvips) and file-type load with the first upload, not with every process that opens the
// runtime: a CLI command or a server that has not been sent a photo yet (issue #15).
const sharpLibrary = async () => (await import('sharp')).default

/** The largest upload accepted, per file. */
export const MAX_UPLOAD_BYTES = 15 * 1024 * 1024
/**
 * Largest image accepted, in pixels. Phone cameras go up to 48 MP; anything bigger is refused from the
 * header, before a single pixel is decoded (a small file can declare a huge image: a pixel bomb).
 */
const MAX_INPUT_PIXELS = 50_000_000
/**
 * A camera photo of more than DENSE_FROM_PIXELS pixels never packs more than MAX_PIXELS_PER_BYTE of them
 * into one byte of its file (sensor noise alone costs more; a 12 MP phone photo has about 5-10 per byte),
 * so a file that does is a decode bomb built to be cheap to send and dear to decode: the security review's
 * 1.9 KB 49 MP WebP has 25,000 per byte, an 8.4 KB 35 MP HEIC 4,000. Smaller pictures are cheap to decode
 * whatever their file size (a 3 MP flat screenshot may well be 500 per byte), so they are not held to it.
 */
const DENSE_FROM_PIXELS = 4_000_000
const MAX_PIXELS_PER_BYTE = 1_000
/** How long one decode may take unless the caller says otherwise (a 48 MP HEIC takes a few seconds here). */
export const DEFAULT_DECODE_TIMEOUT_MS = 15_000
/** Stored photos are re-encoded no larger than this on their longest side (enough to read an MRZ). */
export const MAX_STORED_EDGE = 3000

const PHOTO_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/heic', 'image/heif'])

export type AcceptedKinds = 'photo' | 'photo-or-pdf'

export type NormalizedUpload = {
  mediaType: 'image/jpeg' | 'application/pdf'
  originalType: string
  bytes: Buffer
  width: number | null
  height: number | null
}

const refuse = (message: string) => new AppError('UNSUPPORTED_UPLOAD', { message })

const unreadable = () =>
  refuse('This photo could not be read. It may be damaged or incomplete; please take it again.')

const tooLarge = () =>
  refuse(
    `This image is too large (more than ${MAX_INPUT_PIXELS / 1_000_000} megapixels). Please take a new photo.`,
  )

const implausible = () =>
  refuse('This file does not look like a camera photo. Please take a new photo of your document.')

const tooSlow = () =>
  refuse('This photo took too long to process. Please take a new photo, or choose a smaller one.')

/**
 * Reads the picture's size from its header (nothing is decoded) and refuses pixel bombs and pictures
 * whose size is implausible for their file, before any decoder allocates a pixel.
 */
const checkHeader = async (bytes: Buffer) => {
  const sharp = await sharpLibrary()
  let pixels: number
  try {
    const { width, height } = await sharp(bytes, { limitInputPixels: false }).metadata()
    pixels = (width ?? 0) * (height ?? 0)
  } catch {
    throw unreadable()
  }
  if (pixels > MAX_INPUT_PIXELS) throw tooLarge()
  if (pixels > DENSE_FROM_PIXELS && pixels / bytes.length > MAX_PIXELS_PER_BYTE) throw implausible()
}

/** What the bytes are, from their content only: the file name and the declared type are never trusted. */
export const sniffType = async (bytes: Buffer): Promise<string | undefined> =>
  (await (await import('file-type')).fileTypeFromBuffer(bytes))?.mime

/**
 * A PDF is kept as uploaded (it is only for proof of address), but it must be whole: a header at the
 * start and an end-of-file marker near the end, which a truncated upload lacks.
 */
const checkPdf = (bytes: Buffer) => {
  const tail = bytes.subarray(Math.max(0, bytes.length - 1024)).toString('latin1')
  if (!tail.includes('%%EOF')) throw refuse('This PDF is incomplete or damaged. Please upload it again.')
}

/**
 * HEIC/HEIF (iPhone photos): the libvips shipped with sharp cannot decode HEVC, so libheif (WebAssembly)
 * does, in a worker thread.
 */
const heicToSharp = async (bytes: Buffer, timeoutMs: number) => {
  const decoded = await decodeHeicOffThread(bytes, MAX_INPUT_PIXELS, timeoutMs)
  if (!decoded.ok) {
    if (decoded.problem === 'too-large') throw tooLarge()
    if (decoded.problem === 'timeout') throw tooSlow()
    if (decoded.problem === 'empty') throw refuse('This photo contains no image.')
    throw unreadable()
  }
  const { width, height, data } = decoded
  const sharp = await sharpLibrary()
  return sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), {
    raw: { width, height, channels: 4 },
  })
}

export type DecodeOptions = {
  /** Deadline of the whole decode and re-encode; beyond it the upload is refused (422). */
  timeoutMs?: number
}

/**
 * Checks an upload and turns it into what is stored: photos are decoded (refusing damaged, truncated and
 * oversized ones), turned upright from their EXIF orientation, downscaled to MAX_STORED_EDGE and
 * re-encoded as JPEG, which drops every piece of metadata (GPS position, device, time). Callers bound how
 * many run at once (DecodeLimiter).
 */
export const normalizeUpload = async (
  bytes: Buffer,
  accepts: AcceptedKinds,
  { timeoutMs = DEFAULT_DECODE_TIMEOUT_MS }: DecodeOptions = {},
): Promise<NormalizedUpload> => {
  if (bytes.length === 0) throw refuse('The file is empty. Please choose a photo.')
  const type = await sniffType(bytes)
  if (type === 'application/pdf' && accepts === 'photo-or-pdf') {
    checkPdf(bytes)
    return { mediaType: 'application/pdf', originalType: type, bytes, width: null, height: null }
  }
  if (!type || !PHOTO_TYPES.has(type)) {
    throw refuse(
      accepts === 'photo-or-pdf'
        ? 'This file is not a photo or PDF we can use. Please upload a JPEG, PNG, WebP or HEIC photo, or a PDF.'
        : 'This file is not a photo we can use. Please upload a JPEG, PNG, WebP or HEIC photo.',
    )
  }
  await checkHeader(bytes)
  const sharp = await sharpLibrary()
  const started = Date.now()
  const input =
    type === 'image/heic' || type === 'image/heif'
      ? await heicToSharp(bytes, timeoutMs)
      : sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'truncated' })
  // sharp counts its deadline in whole seconds, from when the pipeline starts (after a HEIC decode).
  const remainingSeconds = Math.max(1, Math.ceil((timeoutMs - (Date.now() - started)) / 1000))
  try {
    const { data, info } = await input
      .timeout({ seconds: remainingSeconds })
      .rotate()
      .resize({ width: MAX_STORED_EDGE, height: MAX_STORED_EDGE, fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      // libjpeg-turbo, not mozjpeg: mozjpeg's smaller files cost five times the CPU (npm run bench:uploads).
      .jpeg({ quality: 90 })
      .toBuffer({ resolveWithObject: true })
    return {
      mediaType: 'image/jpeg',
      originalType: type,
      bytes: data,
      width: info.width,
      height: info.height,
    }
  } catch (error) {
    if (error instanceof AppError) throw error
    if (error instanceof Error && /pixel limit/i.test(error.message)) throw tooLarge()
    if (error instanceof Error && /timeout/i.test(error.message)) throw tooSlow()
    throw unreadable()
  }
}
