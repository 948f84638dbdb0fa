// The module-boundary check (`npm run lint`, .ci/run): the file-level rules of .dependency-cruiser.cjs,
// evaluated by dependency-cruiser, plus `module-cycle` on the module-level graph (a → b when any file
// of src/modules/a imports any file of src/modules/b). dependency-cruiser's folder cycles cannot say
// this: they also pass through src/http, which registers every module's routes and is imported by
// them, and that is layering, not a cycle between modules.
import { resolve } from 'node:path'
import { cruise, type ICruiseResult, type IModule, type IViolation } from 'dependency-cruiser'
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options'
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config'

export const PROJECT_ROOT = resolve(import.meta.dirname, '..')
const CONFIG_FILE = resolve(PROJECT_ROOT, '.dependency-cruiser.cjs')
const TS_CONFIG_FILE = resolve(PROJECT_ROOT, 'tsconfig.json')
/** Everything that may import a module: the sources, the tests, the benchmarks. */
const CRUISED_PATHS = ['src', 'test', 'bench']

const MODULE_FOLDER = /^src\/modules\/([^/]+)\//

export interface BoundaryViolation {
  rule: string
  from: string
  to: string
  /** For the cycle rules: the path from `from` back to itself, `from` first and last. */
  cycle?: string[]
  /** For module-cycle: the imports that make the edge from → to. */
  imports?: string[]
}

/** Module name → the modules it imports → the imports (`file → file`) behind that edge. */
export type ModuleGraph = Map<string, Map<string, string[]>>

/** Cruises `paths` under `baseDir` with the project's configuration, validating its rules. */
export async function cruiseTree(baseDir = PROJECT_ROOT, paths = CRUISED_PATHS): Promise<ICruiseResult> {
  const options = await extractDepcruiseOptions(CONFIG_FILE)
  const result = await cruise(
    paths,
    { ...options, baseDir },
    {},
    { tsConfig: extractTSConfig(TS_CONFIG_FILE) },
  )
  if (typeof result.output === 'string') throw new Error('dependency-cruiser returned no cruise result')
  return result.output
}

export function moduleGraph(modules: IModule[]): ModuleGraph {
  const graph: ModuleGraph = new Map()
  for (const file of modules) {
    const from = MODULE_FOLDER.exec(file.source)?.[1]
    if (from === undefined) continue
    const edges = graph.get(from) ?? new Map<string, string[]>()
    graph.set(from, edges)
    for (const dependency of file.dependencies) {
      const to = MODULE_FOLDER.exec(dependency.resolved)?.[1]
      if (to === undefined || to === from) continue
      edges.set(to, [...(edges.get(to) ?? []), `${file.source} → ${dependency.resolved}`])
    }
  }
  return graph
}

/** The shortest path from `start` to `goal` along the graph's edges, both ends included. */
function shortestPath(graph: ModuleGraph, start: string, goal: string): string[] | undefined {
  const cameFrom = new Map<string, string>([[start, start]])
  const queue = [start]
  for (let node = queue.shift(); node !== undefined; node = queue.shift()) {
    if (node === goal) {
      const path = [goal]
      while (path[0] !== start) path.unshift(cameFrom.get(path[0] as string) as string)
      return path
    }
    for (const next of graph.get(node)?.keys() ?? []) {
      if (!cameFrom.has(next)) {
        cameFrom.set(next, node)
        queue.push(next)
      }
    }
  }
  return undefined
}

/** One violation per module edge a → b that lies on a cycle, with the shortest way back from b to a. */
export function moduleCycles(graph: ModuleGraph): BoundaryViolation[] {
  const violations: BoundaryViolation[] = []
  for (const [from, edges] of graph) {
    for (const [to, imports] of edges) {
      const back = shortestPath(graph, to, from)
      if (back === undefined) continue
      violations.push({
        rule: 'module-cycle',
        from: `src/modules/${from}`,
        to: `src/modules/${to}`,
        cycle: [from, ...back].map((name) => `src/modules/${name}`),
        imports,
      })
    }
  }
  return violations
}

function fromDependencyCruiser(violation: IViolation): BoundaryViolation {
  const cycle = violation.cycle?.map((step) => step.name)
  return {
    rule: violation.rule.name,
    from: violation.from,
    to: violation.to,
    ...(cycle ? { cycle: [violation.from, ...cycle] } : {}),
  }
}

/** Every boundary violation in `paths` under `baseDir` (the project itself unless a fixture is given). */
export async function findBoundaryViolations(
  baseDir = PROJECT_ROOT,
  paths = CRUISED_PATHS,
): Promise<BoundaryViolation[]> {
  const result = await cruiseTree(baseDir, paths)
  return [
    ...(result.summary.violations ?? []).map(fromDependencyCruiser),
    ...moduleCycles(moduleGraph(result.modules)),
  ]
}

function describe(violation: BoundaryViolation): string {
  const head = `error ${violation.rule}: `
  if (!violation.cycle) return `${head}${violation.from} → ${violation.to}`
  const via = violation.imports ? `\n    via ${violation.imports.join('\n        ')}` : ''
  return `${head}${violation.cycle.join(' → ')}${via}`
}

async function main(): Promise<void> {
  const violations = await findBoundaryViolations()
  for (const violation of violations) console.log(describe(violation))
  const byRule = new Map<string, number>()
  for (const { rule } of violations) byRule.set(rule, (byRule.get(rule) ?? 0) + 1)
  const counts = [...byRule].map(([rule, count]) => `${count} ${rule}`).join(', ')
  console.log(
    violations.length === 0
      ? 'module boundaries: no violations'
      : `module boundaries: ${violations.length} violations (${counts}); rules: docs/architecture.md`,
  )
  process.exitCode = violations.length === 0 ? 0 : 1
}

if (import.meta.filename === process.argv[1]) await main()
