import type { WebhookEndpointRow } from '../../db/schema.ts'
import { seal, unseal } from '../../lib/crypto.ts'

/**
 * Signing keys are kept AES-GCM-sealed, not hashed: the server needs them in clear to sign. The
 * endpoint id is the associated data, so a sealed key copied onto another endpoint does not open.
 */
export const sealEndpointKey = (sealingKey: Buffer, endpointId: string, key: string): string =>
  seal(sealingKey, key, `webhook-endpoint:${endpointId}`)

/** The keys to sign with now: the current one, then the previous one while its grace period lasts. */
export const signingKeys = (sealingKey: Buffer, endpoint: WebhookEndpointRow, now: number): string[] => {
  const context = `webhook-endpoint:${endpoint.id}`
  const keys = [unseal(sealingKey, endpoint.key_sealed, context)]
  if (endpoint.previous_key_sealed && (endpoint.previous_key_expires_at ?? 0) > now) {
    keys.push(unseal(sealingKey, endpoint.previous_key_sealed, context))
  }
  return keys
}
