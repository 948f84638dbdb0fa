import sharp from 'sharp'

/** The longest side Human sees: enough for a face of 100+ px in a selfie or on a photographed document. */
const WORK_SIZE = 1280

export type RgbImage = {
  data: Uint8Array
  width: number
  height: number
  /** Pixels of the uploaded image per pixel of this one (boxes are reported in the upload's pixels). */
  scale: number
}

/** An image already decoded (the squared document, say), at the work size. */
export const rawForFaces = async (raw: {
  data: Uint8Array
  width: number
  height: number
  channels: 3
}): Promise<RgbImage> => {
  const { data, info } = await sharp(raw.data, { raw })
    .resize({ width: WORK_SIZE, height: WORK_SIZE, fit: 'inside', withoutEnlargement: true })
    .raw()
    .toBuffer({ resolveWithObject: true })
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    width: info.width,
    height: info.height,
    scale: Math.max(raw.width, raw.height) / Math.max(info.width, info.height),
  }
}

/** Decodes an uploaded photo (EXIF orientation applied, grey or CMYK made RGB) at the work size. */
export const decodeForFaces = async (bytes: Uint8Array): Promise<RgbImage> => {
  const image = sharp(bytes)
  const { width = 0, height = 0 } = await image.metadata()
  const { data, info } = await image
    .rotate()
    .removeAlpha()
    .toColourspace('srgb')
    .resize({ width: WORK_SIZE, height: WORK_SIZE, fit: 'inside', withoutEnlargement: true })
    .raw()
    .toBuffer({ resolveWithObject: true })
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    width: info.width,
    height: info.height,
    // The longest side is the same before and after an EXIF rotation.
    scale: Math.max(width, height) / Math.max(info.width, info.height),
  }
}

/** A face's surroundings as a small JPEG (base64) for the reviewer: the box with a margin, in the work image. */
export const cropForReviewer = async (
  image: RgbImage,
  box: readonly [number, number, number, number],
  width = 160,
): Promise<string> => {
  const [x, y, w, h] = box
  const margin = 0.25
  const left = Math.max(0, Math.floor(x - w * margin))
  const top = Math.max(0, Math.floor(y - h * margin))
  const right = Math.min(image.width, Math.ceil(x + w * (1 + margin)))
  const bottom = Math.min(image.height, Math.ceil(y + h * (1 + margin)))
  const jpeg = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .extract({ left, top, width: Math.max(1, right - left), height: Math.max(1, bottom - top) })
    .resize({ width, withoutEnlargement: true })
    .jpeg({ quality: 70 })
    .toBuffer()
  return jpeg.toString('base64')
}
