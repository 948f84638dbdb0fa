/**
 * The oauth module's face (OAuth 2.0: the Baanx legacy API mode, the hosted OAuth2 flow, codes, refresh
 * tokens with rotation, grants): what other modules may use. Every other file in this folder is private
 * to the module (docs/architecture.md, Module boundaries).
 */

export type { OAuthDeps } from './deps.ts'
export { OAuthErrorBody } from './errors.ts'
export { grantedToClient } from './grant-check.ts'
export { pruneOAuthJob, pruneOAuthSchedule } from './prune-job.ts'
export { oauthRoutes } from './routes.ts'
export { TokenBody as OAuthTokenRequest, TokenResponse as OAuthTokens } from './schemas.ts'
