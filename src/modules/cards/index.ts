/** The cards module's face: the /v1/card routes, the processor port and its simulator, the verification subscriber. */
export { type CardProcessor, simulatedCardProcessor } from './processor.ts'
export { CardStatusSchema, cardRoutes } from './routes.ts'
export type { CardDeps } from './service.ts'
export { cardsFollowVerification } from './verification.ts'
