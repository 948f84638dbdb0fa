import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { type BoundaryViolation, findBoundaryViolations, PROJECT_ROOT } from '../../scripts/boundaries.ts'

const FIXTURES = resolve(PROJECT_ROOT, 'test/fixtures/boundaries')

const brief = ({ rule, from, to, cycle }: BoundaryViolation) => ({ rule, from, to, cycle })
const byRuleAndPath = (a: BoundaryViolation, b: BoundaryViolation) =>
  `${a.rule} ${a.from} ${a.to}`.localeCompare(`${b.rule} ${b.from} ${b.to}`)

// The same configuration and code as `npm run lint`, over two small trees laid out like the project.
describe('module boundaries', () => {
  it('reports every deliberate violation of the bad tree, by rule', async () => {
    const violations = await findBoundaryViolations(resolve(FIXTURES, 'bad'), ['src', 'test'])

    expect(violations.sort(byRuleAndPath).map(brief)).toEqual([
      {
        rule: 'core-imports-module',
        from: 'src/lib/format.ts',
        to: 'src/modules/beta/index.ts',
        cycle: undefined,
      },
      // dependency-cruiser reports a file cycle once, from its first file.
      {
        rule: 'file-cycle',
        from: 'src/lib/ping.ts',
        to: 'src/lib/pong.ts',
        cycle: ['src/lib/ping.ts', 'src/lib/pong.ts', 'src/lib/ping.ts'],
      },
      {
        rule: 'module-cycle',
        from: 'src/modules/alpha',
        to: 'src/modules/beta',
        cycle: ['src/modules/alpha', 'src/modules/beta', 'src/modules/alpha'],
      },
      {
        rule: 'module-cycle',
        from: 'src/modules/beta',
        to: 'src/modules/alpha',
        cycle: ['src/modules/beta', 'src/modules/alpha', 'src/modules/beta'],
      },
      {
        rule: 'module-private-import',
        from: 'src/modules/alpha/service.ts',
        to: 'src/modules/beta/repo.ts',
        cycle: undefined,
      },
      {
        rule: 'outside-private-import',
        from: 'src/http/app.ts',
        to: 'src/modules/alpha/service.ts',
        cycle: undefined,
      },
      {
        rule: 'outside-private-import',
        from: 'test/helper.ts',
        to: 'src/modules/beta/repo.ts',
        cycle: undefined,
      },
    ])
  })

  it('names the imports behind a module cycle', async () => {
    const violations = await findBoundaryViolations(resolve(FIXTURES, 'bad'), ['src', 'test'])

    const betaToAlpha = violations.find((v) => v.rule === 'module-cycle' && v.from === 'src/modules/beta')
    expect(betaToAlpha?.imports).toEqual(['src/modules/beta/service.ts → src/modules/alpha/index.ts'])
  })

  it('finds nothing in a tree that keeps to the faces', async () => {
    const violations = await findBoundaryViolations(resolve(FIXTURES, 'clean'), ['src', 'test'])

    expect(violations).toEqual([])
  })
})
