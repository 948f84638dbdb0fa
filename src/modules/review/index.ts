/**
 * The review module's face: manual review of the submissions the machine did not decide (the CLI
 * today, the console later), through verification's decision seam.
 */
export { decideCase, listCases, type ReviewInput, showCase } from './service.ts'
