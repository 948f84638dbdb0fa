/**
 * The audit module's face: the append-only, hash-chained audit log of each region's database (issue
 * #13 item 5). Other modules append to it inside the transaction of the action they record; it imports
 * no other feature module.
 */
export { CHAIN_BREAKS, type ChainBreak } from './chain.ts'
export { type AuditCheckpoint, checkAgainstCheckpoint, takeCheckpoint } from './checkpoint.ts'
export {
  type AuditActor,
  type AuditDeps,
  type AuditDetails,
  type AuditEntry,
  type AuditEntryInput,
  type AuditFilter,
  appendAudit,
  type ChainVerification,
  listAuditEntries,
  verifyAuditChain,
} from './service.ts'
