/**
 * The clients module's face (tenants, keys, CORS origins, client settings): what other modules may
 * use. Every other file in this folder is private to the module (docs/architecture.md, Module
 * boundaries).
 */
export { ClientCache } from './cache.ts'
export { ensureDemoClient } from './demo.ts'
export type { Client, ClientDocumentPolicy } from './model.ts'
export { findClient } from './repo.ts'
export { clientRoutes, PublicClient } from './routes.ts'
export type { ClientScope } from './scope.ts'
export {
  type ClientDeps,
  type CreateClientInput,
  checkSecretKey,
  clientServesRegion,
  createClient,
  type DocumentPolicyInput,
  disableClient,
  enableClient,
  findActiveClientByKey,
  getClient,
  isOriginAllowedForAnyClient,
  listClients,
  rotateClientSecret,
  setClientDocumentPolicy,
  updateClientSettings,
} from './service.ts'
