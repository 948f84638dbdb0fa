#!/usr/bin/env node
// Entry point for `verity` / `npx verity` / `npm start`. The server is written in TypeScript and Node
// runs it as is (built-in type stripping, on by default since 22.18), so there is no build step between
// `npm install` and `npm start`. That is also why the sources use erasable syntax only (tsconfig).
if (!process.features.typescript) {
  // Older Node would fail on the first `.ts` import with ERR_UNKNOWN_FILE_EXTENSION; say what is wrong.
  console.error(`verity needs Node.js 22.18 or later (24 LTS recommended); this is ${process.version}`)
  process.exit(1)
}
await import('../src/cli/main.ts')
