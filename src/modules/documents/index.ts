/**
 * The documents module's face (image sniffing and normalization, the encrypted vault, retention
 * purge): what other modules may use. Every other file in this folder is private to the module
 * (docs/architecture.md, Module boundaries).
 */
export { diskBlobStore } from './blob-store.ts'
export { DecodeLimiter } from './decode-limiter.ts'
export { MAX_UPLOAD_BYTES, normalizeUpload, sniffType } from './images.ts'
export {
  countPdfPages,
  PDF_PAGE_LIMITS,
  type PdfPageCount,
  type PdfPagePicture,
  type PdfProblem,
  renderPdfPage,
} from './pdf-pages.ts'
export { purgeDocumentsJob, purgeDocumentsSchedule } from './purge-job.ts'
export { type DocumentVault, documentVault } from './vault.ts'
