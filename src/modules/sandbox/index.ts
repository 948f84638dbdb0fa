/** The sandbox module's face: the magic-name scenarios and the sandbox-only routes. */

export { sandboxRoutes } from './routes.ts'
export { SANDBOX_REJECTION, SANDBOX_USERS, sandboxDecision, scenarioCatalogue } from './scenarios.ts'
