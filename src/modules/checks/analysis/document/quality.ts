import sharp from 'sharp'
import { loadOpenCv } from '../../../../lib/opencv.ts'
import type { RawImage } from './rectify.ts'

/**
 * Width the sharpness is measured at: the variance of the Laplacian depends on scale, so every
 * document is brought to the same width first (a small document is upscaled and measures as softer,
 * as it should).
 */
export const SHARPNESS_WIDTH = 800

/** Grey levels below this are "dark"; at or above GLARE_LEVEL, saturated. */
const DARK_LEVEL = 40
const BRIGHT_LEVEL = 250
const GLARE_LEVEL = 253

export type Exposure = {
  /** Mean grey level, 0–255. */
  mean: number
  /** Share of pixels darker than 40. */
  darkShare: number
  /** Share of pixels at 250 or more (washed out). */
  brightShare: number
}

/** Grey copy at the measuring width. */
export const greyAt = async (image: RawImage | Uint8Array, width = SHARPNESS_WIDTH) => {
  const input = image instanceof Uint8Array ? sharp(image) : sharp(image.data, { raw: image })
  const { data, info } = await input
    .removeAlpha()
    .greyscale()
    .resize({ width })
    .raw()
    .toBuffer({ resolveWithObject: true })
  return { data, width: info.width, height: info.height }
}

/**
 * Sharpness: variance of the Laplacian (sharp's 3×3 convolution with offset 128, without which every
 * negative response would be clipped to 0 and half the signal lost).
 */
export const sharpness = async (grey: { data: Buffer; width: number; height: number }): Promise<number> => {
  const laplacian = await sharp(grey.data, { raw: { width: grey.width, height: grey.height, channels: 1 } })
    .convolve({ width: 3, height: 3, kernel: [0, 1, 0, 1, -4, 1, 0, 1, 0], offset: 128 })
    .raw()
    .toBuffer()
  let sum = 0
  let squares = 0
  for (const value of laplacian) {
    sum += value
    squares += value * value
  }
  const mean = sum / laplacian.length
  return squares / laplacian.length - mean * mean
}

export const exposure = (grey: { data: Buffer }): Exposure => {
  let sum = 0
  let dark = 0
  let bright = 0
  for (const value of grey.data) {
    sum += value
    if (value < DARK_LEVEL) dark++
    if (value >= BRIGHT_LEVEL) bright++
  }
  const n = grey.data.length
  return { mean: sum / n, darkShare: dark / n, brightShare: bright / n }
}

/**
 * Glare: the largest connected patch of saturated pixels (≥ 253) as a share of the document. White
 * paper itself sits near 250, so a global share of bright pixels would flag every clean white card;
 * a reflection is one bright blob.
 */
export const glare = async (grey: { data: Buffer; width: number; height: number }): Promise<number> => {
  const { cv } = await loadOpenCv()
  const image = new cv.Mat(grey.height, grey.width, cv.CV_8UC1)
  const saturated = new cv.Mat()
  const labels = new cv.Mat()
  const stats = new cv.Mat()
  const centroids = new cv.Mat()
  try {
    image.data.set(grey.data)
    cv.threshold(image, saturated, GLARE_LEVEL - 1, 255, cv.THRESH_BINARY)
    const count = cv.connectedComponentsWithStats(saturated, labels, stats, centroids, 8, cv.CV_32S)
    let largest = 0
    // Label 0 is the background (the unsaturated pixels).
    for (let label = 1; label < count; label++) {
      largest = Math.max(largest, stats.intAt(label, cv.CC_STAT_AREA))
    }
    return largest / (grey.width * grey.height)
  } finally {
    for (const mat of [image, saturated, labels, stats, centroids]) mat.delete()
  }
}
