/**
 * The hosted module's face (the web surface: every /verify route, pages, the browser cookie and
 * claims): what other modules may use. Every other file in this folder is private to the module
 * (docs/architecture.md, Module boundaries).
 */
export { MAX_ONBOARDING_BROWSERS } from './claims.ts'
export { hostedRoutes } from './routes.ts'
