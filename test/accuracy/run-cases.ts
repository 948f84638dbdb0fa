import { join } from 'node:path'
import type { Dialect } from '../../src/db/database.ts'
import { checkResultsFor } from '../../src/modules/checks/index.ts'
import { runCli } from '../helpers/cli.ts'
import { liveHarness } from '../helpers/live-submission.ts'
import { drawsFor, type LabelledCase, labelledCases } from './cases.ts'

export type CaseResult = {
  id: string
  label: LabelledCase['label']
  expectedReasons: string[]
  outcome: string
  reasons: string[]
  /** Submit (the review form) to the decision, as the worker took it. */
  ms: number
  checks: { check: string; outcome: string; reason: string | null; score: number | null }[]
}

export const SANCTIONS_FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'sanctions', 'list.csv')

/**
 * Runs every labelled case end to end on a fresh app with its worker: the operator's sanctions list is
 * imported through the CLI, each person registers over HTTP, goes through the hosted flow (answering
 * the challenge the server is made to ask) and the real checks decide.
 */
export const runLabelledCases = async (
  dialect: Dialect,
  onResult: (result: CaseResult) => void = () => {},
): Promise<CaseResult[]> => {
  const draws: number[] = []
  const harness = await liveHarness(dialect, {
    randomBelow: (below) => (draws.shift() ?? 0) % below,
  })
  try {
    const imported = await runCli(
      ['sanctions', 'import', SANCTIONS_FIXTURE, '--format', 'csv', '--list', 'internal'],
      { DATA_DIR: harness.t.storage.dataDir, ...harness.t.storage.env },
    )
    if (imported.code !== 0) throw new Error(`sanctions import: ${imported.stderr}`)
    const results: CaseResult[] = []
    for (const labelled of labelledCases(harness.t.clock.now())) {
      const user = await harness.registerPerson(labelled.person)
      const { submission, answer } = await labelled.build()
      draws.length = 0
      if (answer) draws.push(...drawsFor(answer.steps))
      const started = performance.now()
      const sessionId = await harness.submit(
        user,
        submission,
        answer
          ? (steps) => {
              if (steps.join() !== answer.steps.join())
                throw new Error(`the server asked ${steps.join()} instead of ${answer.steps.join()}`)
              return answer.frames
            }
          : undefined,
      )
      const decision = await harness.decisionOf(user, sessionId, 120_000)
      const checks = await checkResultsFor(harness.t.runtime.keys, user.database, sessionId)
      const result: CaseResult = {
        id: labelled.id,
        label: labelled.label,
        expectedReasons: labelled.reasons ?? [],
        outcome: decision.outcome,
        reasons: decision.reasons,
        ms: Math.round(performance.now() - started),
        checks: checks.map(({ check, outcome, reason, score }) => ({ check, outcome, reason, score })),
      }
      results.push(result)
      onResult(result)
    }
    return results
  } finally {
    await harness.close()
  }
}
