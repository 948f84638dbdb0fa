/**
 * The review module's face: manual review of the submissions the machine did not decide (the CLI
 * and the console), through verification's decision seam, with four-eyes confirmation of the
 * decisions whose mistake costs most.
 */

export {
  type AlertResolution,
  confirmDecision,
  decideCase,
  listAlerts,
  listCases,
  type ReviewInput,
  resolveAlert,
  showCase,
  summarizeCases,
  withdrawDecision,
} from './service.ts'
