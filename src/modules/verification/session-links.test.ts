import { randomBytes } from 'node:crypto'
import fc from 'fast-check'
import { ulid } from 'ulid'
import { describe, expect, it } from 'vitest'
import { parseSessionLinkToken, sessionLinkToken } from './session-links.ts'

const key = randomBytes(32)
const sessionId = () => `ses_${ulid()}`

describe('verification link tokens', () => {
  it('round-trip for both regions and carry 256 bits of MAC', () => {
    for (const region of ['intl', 'us'] as const) {
      const id = sessionId()
      const token = sessionLinkToken(key, region, id)
      expect(parseSessionLinkToken(key, token)).toEqual({ region, sessionId: id })
      expect(token.split('.')[2]).toHaveLength(43)
    }
  })

  it('refuse any change: another key, region, id, truncation or a flipped character', () => {
    const id = sessionId()
    const token = sessionLinkToken(key, 'intl', id)
    expect(parseSessionLinkToken(randomBytes(32), token)).toBeUndefined()
    expect(parseSessionLinkToken(key, `u${token.slice(1)}`)).toBeUndefined()
    expect(parseSessionLinkToken(key, token.replace(id, sessionId()))).toBeUndefined()
    fc.assert(
      fc.property(fc.integer({ min: 0, max: token.length - 1 }), fc.boolean(), (position, truncate) => {
        const altered = truncate
          ? token.slice(0, position)
          : `${token.slice(0, position)}${token[position] === 'A' ? 'B' : 'A'}${token.slice(position + 1)}`
        if (altered !== token) expect(parseSessionLinkToken(key, altered)).toBeUndefined()
      }),
    )
  })

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(parseSessionLinkToken(key, text)).toBeUndefined()
      }),
    )
  })
})
