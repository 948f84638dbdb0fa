#!/usr/bin/env node
// Entry point for `verity` / `npx verity` / `npm start`. The server is written in TypeScript and
// runs through tsx's loader, so there is no build step between `npm install` and `npm start`.
import { register } from 'tsx/esm/api'

register()
await import('../src/cli/main.ts')
