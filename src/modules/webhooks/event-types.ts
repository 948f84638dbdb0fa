/**
 * The event types a client can subscribe to. A subscription pattern is an exact type, a category
 * wildcard (`kyc.*`) or `*`; anything else is refused when the endpoint is configured, so a typo never
 * silently subscribes to nothing.
 */
export const EVENT_TYPES = ['kyc.status.changed', 'user.verification.completed'] as const

/** Sent only by POST /v1/webhooks/{id}/test, to that endpoint alone: no pattern subscribes to it. */
export const TEST_EVENT_TYPE = 'webhook.test'

export const categoryOf = (type: string): string => type.slice(0, type.indexOf('.'))

const CATEGORIES = new Set(EVENT_TYPES.map(categoryOf))

export const isValidPattern = (pattern: string): boolean =>
  pattern === '*' ||
  (EVENT_TYPES as readonly string[]).includes(pattern) ||
  (pattern.endsWith('.*') && CATEGORIES.has(pattern.slice(0, -2)))

export const patternMatches = (pattern: string, type: string): boolean =>
  pattern === '*' || pattern === type || (pattern.endsWith('.*') && pattern.slice(0, -2) === categoryOf(type))

export const subscribes = (patterns: readonly string[], type: string): boolean =>
  type !== TEST_EVENT_TYPE && patterns.some((pattern) => patternMatches(pattern, type))
