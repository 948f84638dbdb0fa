import type { Check } from './check.ts'

/**
 * The analysis ran to the end: an analyzer that threw, or an analysis that kept failing until the job's
 * last attempt, leaves the checks without what they needed, so a person decides (never a retake or a
 * rejection on a machine fault).
 */
export const analysisComplete: Check = {
  id: 'analysis-complete',
  version: '1',
  kind: 'analysis',
  appliesTo: ({ sandbox }) => !sandbox,
  run: ({ analysis }) =>
    analysis.failed
      ? { outcome: 'inconclusive', reason: 'ANALYSIS_FAILED', evidence: { failed: analysis.failed } }
      : { outcome: 'pass' },
}
