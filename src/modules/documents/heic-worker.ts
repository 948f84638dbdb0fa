import { parentPort } from 'node:worker_threads'
import decodeHeic from 'heic-decode'

export type HeicRequest = { id: number; bytes: Uint8Array; maxPixels: number }
export type HeicAnswer =
  | { id: number; ok: true; width: number; height: number; data: Uint8Array }
  | { id: number; ok: false; problem: 'unreadable' | 'empty' | 'too-large' }

/**
 * Decodes HEIC/HEIF in a worker thread: libheif's WebAssembly decoder is synchronous and takes about a
 * second for a 12 MP iPhone photo, which on the main thread would stall every other request.
 */
parentPort?.on('message', async ({ id, bytes, maxPixels }: HeicRequest) => {
  let images: Awaited<ReturnType<typeof decodeHeic.all>> | undefined
  const answer = (message: HeicAnswer, transfer: ArrayBuffer[] = []) =>
    parentPort?.postMessage(message, transfer)
  try {
    images = await decodeHeic.all({ buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) })
    const primary = images[0]
    if (!primary) return answer({ id, ok: false, problem: 'empty' })
    // Refused from the header, before a single pixel is decoded.
    if (primary.width * primary.height > maxPixels) return answer({ id, ok: false, problem: 'too-large' })
    const { width, height, data } = await primary.decode()
    const pixels = new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    return answer({ id, ok: true, width, height, data: pixels }, [pixels.buffer as ArrayBuffer])
  } catch {
    return answer({ id, ok: false, problem: 'unreadable' })
  } finally {
    images?.dispose()
  }
})
