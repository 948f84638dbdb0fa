/**
 * The codes module's face (6-digit verification codes: issue, consume, limits, the messages that carry
 * them): what other modules may use. Every other file in this folder is private to the module
 * (docs/architecture.md, Module boundaries).
 */
export { type SendCodeDeps, sendCode } from './send.ts'
export { CODE_MAX_ATTEMPTS, CODE_TTL_MS, consumeCode, SANDBOX_CODE } from './service.ts'
