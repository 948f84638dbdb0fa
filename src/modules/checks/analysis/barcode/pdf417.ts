import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { prepareZXingModule, readBarcodes, ZXING_WASM_SHA256 } from 'zxing-wasm/reader'
import type { RawImage } from '../document/rectify.ts'

let loading: Promise<unknown> | undefined

/**
 * ZXing-C++'s reader, compiled to WASM, instantiated from the `.wasm` file in node_modules: its default
 * would fetch the binary from a CDN. The binary is checked against the hash the package was built with,
 * so a corrupt file stops the worker with a clear error instead of failing every licence.
 */
export const loadPdf417Reader = (): Promise<unknown> => {
  loading ??= (async () => {
    const path = createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm')
    const binary = readFileSync(path)
    const digest = createHash('sha256').update(binary).digest('hex')
    if (digest !== ZXING_WASM_SHA256) {
      throw new Error(`PDF417 reader: ${path} is corrupt (sha256 ${digest}, expected ${ZXING_WASM_SHA256})`)
    }
    const wasmBinary = binary.buffer.slice(binary.byteOffset, binary.byteOffset + binary.byteLength)
    return prepareZXingModule({ overrides: { wasmBinary }, fireImmediately: true })
  })().catch((error: unknown) => {
    loading = undefined
    throw error
  })
  return loading
}

type ImageInput = Parameters<typeof readBarcodes>[0]

/**
 * The text of the PDF417 on an image, or null. The image should be the squared card: ZXing's PDF417
 * detector scans rows and loses the symbol beyond ~3° of rotation (0 of 24 photographed licences read
 * raw, 24 of 24 rectified, checks-stack.md §2). `Plain` text mode keeps the AAMVA separators (LF, RS,
 * CR) as characters instead of `<LF>` escapes.
 */
export const readPdf417 = async (image: RawImage): Promise<string | null> => {
  await loadPdf417Reader()
  const rgba = Buffer.alloc(image.width * image.height * 4)
  for (let i = 0, j = 0; i < image.data.length; i += 3, j += 4) {
    rgba[j] = image.data[i] as number
    rgba[j + 1] = image.data[i + 1] as number
    rgba[j + 2] = image.data[i + 2] as number
    rgba[j + 3] = 255
  }
  const input = {
    data: new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.length),
    width: image.width,
    height: image.height,
    colorSpace: 'srgb',
  } as unknown as ImageInput
  const [hit] = await readBarcodes(input, {
    formats: ['PDF417'],
    tryHarder: true,
    textMode: 'Plain',
    maxNumberOfSymbols: 1,
  })
  return hit?.isValid ? hit.text : null
}
