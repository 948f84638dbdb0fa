// Module boundaries (issue #11 item 1; docs/architecture.md "Module boundaries").
// scripts/boundaries.ts runs these rules (for `npm run lint` and .ci/run) and adds the module-level
// rule `module-cycle`, which dependency-cruiser cannot express: its folder cycles also run through
// src/http, which is not a module. test/lint/boundaries.test.ts runs the same check over
// test/fixtures/boundaries/ to prove each rule fires.
//
// A feature module is a folder src/modules/<name>/. Its index.ts is its face: the only file another
// module, the composition root, the HTTP layer, the CLI, the tests under test/ and the benchmarks may
// import. Everything else in the folder (repo.ts above all) is private, so a table has one owner and
// a module can be rearranged inside without touching its callers.

/** The face of a module: the one file that other code may import. */
const FACE = '^src/modules/[^/]+/index\\.ts$'

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'module-private-import',
      comment:
        'A module may use another module only through its face (src/modules/<name>/index.ts); ' +
        'repo.ts and every other file of a module are private to it.',
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/[^/]+/', pathNot: ['^src/modules/$1/', FACE] },
    },
    {
      name: 'outside-private-import',
      comment:
        'Code outside src/modules (http, cli, jobs, web, runtime.ts, test/, bench/) uses a module only ' +
        'through its face as well; tests that need a private file live inside the module.',
      severity: 'error',
      from: { pathNot: '^src/modules/' },
      to: { path: '^src/modules/[^/]+/', pathNot: FACE },
    },
    {
      name: 'core-imports-module',
      comment:
        'src/lib, src/db and src/config are the layers every module stands on; importing a module ' +
        'from them turns the layering upside down.',
      severity: 'error',
      from: { path: '^src/(lib|db|config)/' },
      to: { path: '^src/modules/' },
    },
    {
      name: 'file-cycle',
      comment:
        'No cycle between files either (type-only imports included: they tie the files together for ' +
        'every reader even when the runtime drops them).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    // The fixtures break the rules on purpose; test/lint/boundaries.test.ts cruises them on its own.
    exclude: { path: '^test/fixtures/boundaries/' },
    doNotFollow: { path: 'node_modules' },
    // Count `import type` too: a face exports the types other modules use, like the values.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: {
      dot: {
        // The picture is a module map: every file of a module collapses into one node.
        collapsePattern: '^src/modules/[^/]+',
      },
    },
  },
}
