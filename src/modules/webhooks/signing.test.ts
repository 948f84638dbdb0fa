import { createHmac } from 'node:crypto'
import fc from 'fast-check'
import { Webhook } from 'standardwebhooks'
import { describe, expect, it } from 'vitest'
import {
  baanxSignature,
  generateEndpointKey,
  keyLast4,
  maskKey,
  signatureHeaders,
  standardWebhooksSecret,
} from './signing.ts'

describe('signing', () => {
  it('keys are whk_ + 43 base64url characters, masked to their last four', () => {
    const key = generateEndpointKey()
    expect(key).toMatch(/^whk_[A-Za-z0-9_-]{43}$/)
    expect(maskKey(keyLast4(key))).toBe(`whk_****...****${key.slice(-4)}`)
    expect(generateEndpointKey()).not.toBe(key)
  })

  it('X-Signature is the lowercase hex HMAC-SHA256 of "timestamp.body"', () => {
    expect(baanxSignature('whk_test', '1700000000', '{"a":1}')).toBe(
      createHmac('sha256', 'whk_test').update('1700000000.{"a":1}').digest('hex'),
    )
    expect(baanxSignature('whk_test', '1700000000', '{}')).toMatch(/^[0-9a-f]{64}$/)
  })

  it('every body, key and time verifies with standardwebhooks and with the Baanx recipe', () => {
    fc.assert(
      fc.property(fc.string(), fc.uuid(), fc.integer({ min: 0, max: 4_000_000_000_000 }), (text, id, ms) => {
        const key = generateEndpointKey()
        const body = JSON.stringify({ text })
        const headers = signatureHeaders([key], id, ms, body)
        expect(headers['x-timestamp']).toBe(String(Math.floor(ms / 1000)))
        expect(headers['webhook-timestamp']).toBe(headers['x-timestamp'])
        expect(headers['webhook-id']).toBe(id)
        expect(headers['x-signature']).toBe(baanxSignature(key, headers['x-timestamp'] as string, body))
        const expected = new Webhook(standardWebhooksSecret(key)).sign(
          id,
          new Date(Math.floor(ms / 1000) * 1000),
          body,
        )
        expect(headers['webhook-signature']).toBe(expected)
        expect(headers).not.toHaveProperty('x-signature-previous')
      }),
      { numRuns: 50 },
    )
  })

  it('with a previous key, both sign: a second webhook-signature and X-Signature-Previous', () => {
    const [current, previous] = [generateEndpointKey(), generateEndpointKey()]
    const body = '{"event":"x"}'
    const headers = signatureHeaders([current, previous], 'evt', Date.now(), body)
    const timestamp = headers['x-timestamp'] as string
    expect(headers['x-signature']).toBe(baanxSignature(current, timestamp, body))
    expect(headers['x-signature-previous']).toBe(baanxSignature(previous, timestamp, body))
    for (const key of [current, previous]) {
      expect(new Webhook(standardWebhooksSecret(key)).verify(body, headers)).toEqual({ event: 'x' })
    }
    expect(headers['webhook-signature']?.split(' ')).toHaveLength(2)
  })

  it('never puts a key in a header', () => {
    const key = generateEndpointKey()
    const headers = signatureHeaders([key], 'evt', Date.now(), '{}')
    expect(JSON.stringify(headers)).not.toContain(key.slice(4))
  })
})
