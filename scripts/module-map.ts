// `npm run docs:modules`: docs/module-map.svg, the module-level graph of src/modules drawn from the
// code. It is the graph the module-cycle rule checks (scripts/boundaries.ts), laid out by Graphviz
// compiled to WebAssembly (@viz-js/viz), so no system binary is needed. Edges on a cycle are red.
// Regenerate it whenever modules or their imports change.
import { writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { instance } from '@viz-js/viz'
import { cruiseTree, moduleCycles, moduleGraph, PROJECT_ROOT } from './boundaries.ts'

const OUTPUT = resolve(PROJECT_ROOT, 'docs/module-map.svg')

const graph = moduleGraph((await cruiseTree(PROJECT_ROOT, ['src/modules'])).modules)
const onCycle = new Set(moduleCycles(graph).map(({ from, to }) => `${from} ${to}`))
const quoted = (name: string) => JSON.stringify(name)

const lines = [
  'digraph modules {',
  '  rankdir=TB; nodesep=0.35; ranksep=0.55; fontname="Helvetica"',
  '  node [shape=box, style="rounded,filled", fillcolor="#f4f1e8", color="#6b6459", fontname="Helvetica", fontsize=12]',
  '  edge [color="#6b6459", arrowsize=0.7, fontname="Helvetica", fontsize=9]',
  ...[...graph.keys()].sort().map((name) => `  ${quoted(name)}`),
  ...[...graph]
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([from, edges]) =>
      [...edges.keys()].sort().map((to) => {
        const cycle = onCycle.has(`src/modules/${from} src/modules/${to}`)
        return `  ${quoted(from)} -> ${quoted(to)}${cycle ? ' [color="#c0392b", penwidth=1.6]' : ''}`
      }),
    ),
  '}',
]
const viz = await instance()
await writeFile(OUTPUT, viz.renderString(lines.join('\n'), { format: 'svg' }))
console.log(`wrote ${OUTPUT} (${graph.size} modules, ${onCycle.size} of the edges on a cycle)`)
