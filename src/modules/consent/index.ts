/** The consent module's face: the v2 Consent Management routes, and what cards ask of a user's consent. */
export {
  ConsentAuditRecordSchema,
  ConsentLinkSchema,
  ConsentSchema,
  ConsentSetSchema,
  consentRoutes,
} from './routes.ts'
export { type ConsentDeps, hasCardConsent } from './service.ts'
