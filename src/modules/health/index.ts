/**
 * The health module's face (/healthz and /readyz): what other modules may use. Every other file in
 * this folder is private to the module (docs/architecture.md, Module boundaries).
 */
export { healthRoutes, Readiness } from './routes.ts'
