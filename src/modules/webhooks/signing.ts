import { createHmac, randomBytes } from 'node:crypto'

/**
 * One endpoint key, two signature schemes over the exact bytes sent:
 * - Baanx: `X-Signature` = lowercase hex HMAC-SHA256(key, `${X-Timestamp}.${rawBody}`), the key being
 *   the `whk_…` string's UTF-8 bytes.
 * - Standard Webhooks: `webhook-signature` = `v1,<base64 HMAC-SHA256>` over `${id}.${timestamp}.${body}`
 *   with the same key bytes, exactly what the `standardwebhooks` package computes (the tests check
 *   against it) without its pure-JS SHA-256 and base64, which were a tenth of a delivery's CPU. That
 *   library takes its secret as `whsec_` + base64(key bytes), which is all a receiver needs to derive
 *   from the `whk_` key.
 */
const KEY_PREFIX = 'whk_'

export const generateEndpointKey = (): string => `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`

/** The form listings show: enough to tell keys apart, nothing to sign with. */
export const maskKey = (last4: string): string => `${KEY_PREFIX}****...****${last4}`

export const keyLast4 = (key: string): string => key.slice(-4)

export const standardWebhooksSecret = (key: string): string =>
  `whsec_${Buffer.from(key, 'utf8').toString('base64')}`

export const baanxSignature = (key: string, timestamp: string, body: string): string =>
  createHmac('sha256', key).update(`${timestamp}.${body}`, 'utf8').digest('hex')

const standardSignature = (key: string, eventId: string, timestamp: string, body: string): string =>
  `v1,${createHmac('sha256', key).update(`${eventId}.${timestamp}.${body}`, 'utf8').digest('base64')}`

/**
 * Headers for one attempt. `keys[0]` is the current key; a second one is the previous key during its
 * grace period after a rotation, so receivers still holding it keep verifying: Standard Webhooks lists
 * both signatures in `webhook-signature` (the spec allows several), Baanx style adds
 * `X-Signature-Previous` beside `X-Signature`, which always carries the current key's signature.
 */
export const signatureHeaders = (
  keys: readonly string[],
  eventId: string,
  timestampMs: number,
  body: string,
): Record<string, string> => {
  const seconds = Math.floor(timestampMs / 1000)
  const timestamp = String(seconds)
  const [current, previous] = keys
  if (current === undefined) throw new Error('no signing key')
  const standard = keys.map((key) => standardSignature(key, eventId, timestamp, body))
  return {
    'x-timestamp': timestamp,
    'x-signature': baanxSignature(current, timestamp, body),
    ...(previous === undefined ? {} : { 'x-signature-previous': baanxSignature(previous, timestamp, body) }),
    'webhook-id': eventId,
    'webhook-timestamp': timestamp,
    'webhook-signature': standard.join(' '),
  }
}
