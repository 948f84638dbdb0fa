/**
 * The review module's face: manual review of the submissions the machine did not decide (the CLI
 * today, the console later), through verification's decision seam.
 */
export {
  type AlertResolution,
  decideCase,
  listAlerts,
  listCases,
  type ReviewInput,
  resolveAlert,
  showCase,
} from './service.ts'
