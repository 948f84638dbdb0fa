/** The sandbox module's face: the magic-name scenarios and the sandbox-only routes. */
export { sandboxRoutes } from './routes.ts'
export { sandboxDecision } from './scenarios.ts'
