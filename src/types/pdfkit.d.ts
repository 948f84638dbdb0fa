// pdfkit ships no types; this is the part of its API the test fixtures use to render bills.
declare module 'pdfkit' {
  type TextOptions = { lineBreak?: boolean; width?: number; align?: 'left' | 'right' | 'center' }
  class PDFDocument {
    constructor(options?: {
      size?: string | [number, number]
      margin?: number
      info?: Record<string, unknown>
    })
    on(event: 'data', listener: (chunk: Buffer) => void): this
    on(event: 'end', listener: () => void): this
    font(name: string): this
    fontSize(size: number): this
    fillColor(color: string): this
    text(text: string, x?: number, y?: number, options?: TextOptions): this
    image(source: Buffer, x?: number, y?: number, options?: { width?: number; height?: number }): this
    rect(x: number, y: number, width: number, height: number): this
    fill(color?: string): this
    addPage(): this
    end(): void
  }
  export default PDFDocument
}
