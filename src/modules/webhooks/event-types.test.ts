import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  categoryOf,
  EVENT_TYPES,
  isValidPattern,
  patternMatches,
  subscribes,
  TEST_EVENT_TYPE,
} from './event-types.ts'

const eventType = fc.constantFrom(...EVENT_TYPES)
const validPattern = fc.oneof(
  fc.constant('*'),
  eventType,
  eventType.map((type) => `${categoryOf(type)}.*`),
)

describe('subscription patterns', () => {
  it('exact, category wildcard and * are valid; anything else is not', () => {
    expect(
      ['*', 'kyc.*', 'user.*', 'kyc.status.changed', 'user.verification.completed'].every(isValidPattern),
    ).toBe(true)
    for (const bad of [
      '',
      'kyc',
      'kyc.',
      'card.*',
      '*.*',
      'kyc.status.*',
      'KYC.*',
      'kyc.status.changed ',
      TEST_EVENT_TYPE,
    ])
      expect(isValidPattern(bad), bad).toBe(false)
  })

  it('* matches every type; an exact type matches itself only; a category matches its own types only', () => {
    fc.assert(
      fc.property(eventType, eventType, (a, b) => {
        expect(patternMatches('*', a)).toBe(true)
        expect(patternMatches(a, b)).toBe(a === b)
        expect(patternMatches(`${categoryOf(a)}.*`, b)).toBe(categoryOf(a) === categoryOf(b))
      }),
    )
  })

  it('a list subscribes when any pattern matches, and never to the test event', () => {
    fc.assert(
      fc.property(fc.array(validPattern, { maxLength: 5 }), eventType, (patterns, type) => {
        expect(subscribes(patterns, type)).toBe(patterns.some((pattern) => patternMatches(pattern, type)))
        expect(subscribes(patterns, TEST_EVENT_TYPE)).toBe(false)
      }),
    )
  })

  it('no valid pattern matches a type of an unknown category', () => {
    fc.assert(
      fc.property(
        validPattern.filter((pattern) => pattern !== '*'),
        (pattern) => {
          expect(patternMatches(pattern, 'card.activated')).toBe(false)
        },
      ),
    )
  })
})
