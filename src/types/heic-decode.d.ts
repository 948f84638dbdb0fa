// heic-decode ships no types; this is the part of its API Verity uses.
declare module 'heic-decode' {
  type DecodedImage = { width: number; height: number; data: Uint8ClampedArray }
  type HeicImage = { width: number; height: number; decode(): Promise<DecodedImage> }
  type HeicImages = HeicImage[] & { dispose(): void }
  const decode: {
    (options: { buffer: Buffer | ArrayBuffer }): Promise<DecodedImage>
    all(options: { buffer: Buffer | ArrayBuffer }): Promise<HeicImages>
  }
  export default decode
}
