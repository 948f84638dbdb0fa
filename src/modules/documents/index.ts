/**
 * The documents module's face (image sniffing and normalization, PDFs read and drawn in a watched
 * child process, the encrypted vault, retention purge): what other modules may use. Every other file
 * in this folder is private to the module (docs/architecture.md, Module boundaries).
 */
export { diskBlobStore } from './blob-store.ts'
export { DecodeLimiter } from './decode-limiter.ts'
export { MAX_UPLOAD_BYTES, normalizeUpload, sniffType } from './images.ts'
export { hasTextLayer } from './pdf-contents.ts'
export {
  countPdfPages,
  type PageImage,
  PDF_PAGE_LIMITS,
  type PdfContents,
  type PdfContentsLimits,
  type PdfContentsRead,
  type PdfPageCount,
  type PdfPagePicture,
  type PdfProblem,
  readPdfContents,
  renderPdfPage,
} from './pdf-pages.ts'
export { purgeDocumentsJob, purgeDocumentsSchedule } from './purge-job.ts'
export { type DocumentVault, documentVault } from './vault.ts'
