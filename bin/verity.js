#!/usr/bin/env node
// Entry point for `verity` / `npx verity` / `npm start`. The server is written in TypeScript and Node
// runs it as is (built-in type stripping, on by default since 22.18), so there is no build step between
// `npm install` and `npm start`. That is also why the sources use erasable syntax only (tsconfig).
import module from 'node:module'
import { fileURLToPath } from 'node:url'

if (!process.features.typescript) {
  // Older Node would fail on the first `.ts` import with ERR_UNKNOWN_FILE_EXTENSION; say what is wrong.
  console.error(`verity needs Node.js 22.18 or later (24 LTS recommended); this is ${process.version}`)
  process.exit(1)
}

// Node's compile cache keeps each module's type-stripped source and V8 code on disk, keyed by its
// content, so a start after the first neither strips types nor compiles again (a third of a CLI
// command's time). It lives beside the dependencies, not in the shared os.tmpdir(): whoever can write
// there can already change the code, while a cache in /tmp could be planted by another user. Where the
// directory cannot be written the cache is simply off; NODE_COMPILE_CACHE=dir chooses another one and
// NODE_DISABLE_COMPILE_CACHE=1 turns it off. Worker threads and child processes inherit it by the variable.
const compileCache = module.enableCompileCache(
  fileURLToPath(new URL('../node_modules/.cache/verity-compile', import.meta.url)),
)
if (compileCache.directory) process.env.NODE_COMPILE_CACHE = compileCache.directory

await import('../src/cli/main.ts')
