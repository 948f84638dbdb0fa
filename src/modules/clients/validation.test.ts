import { describe, expect, it } from 'vitest'
import type { FieldProblem } from '../../lib/errors.ts'
import { parseAllowedOrigins } from './validation.ts'

const frameAncestors = (values: string[], mode: 'sandbox' | 'live' = 'live') => {
  const problems: FieldProblem[] = []
  const origins = parseAllowedOrigins(values, mode, problems, 'frameAncestors')
  return { origins, problems }
}

describe('frame ancestors', () => {
  it.each([
    'https://wallet.example.com',
    'https://wallet.example.com:8443',
    'https://*.example.com',
    'https://xn--bcher-kva.example',
  ])('accepts the origin %s', (value) => {
    expect(frameAncestors([value])).toEqual({ origins: [value], problems: [] })
  })

  it('accepts http only for localhost in sandbox', () => {
    expect(frameAncestors(['http://localhost:5173'], 'sandbox').problems).toEqual([])
    expect(frameAncestors(['http://localhost:5173'], 'live').problems).toHaveLength(1)
    expect(frameAncestors(['http://wallet.example.com'], 'sandbox').problems).toHaveLength(1)
  })

  it.each([
    'https://a.example;base-uri',
    "https://a.example;script-src'unsafe-inline'",
    'https://a.example,b.example',
    'https://a.example/path',
    'https://a.example?x=1',
    "https://'self'",
    'https://a.*.example.com',
    'https://*',
    'https://user@a.example',
    'wss://a.example',
    "'self'",
    '*',
    'https://[::1]',
  ])('refuses %s, which is not an origin', (value) => {
    const { origins, problems } = frameAncestors([value])
    expect(origins).toEqual([])
    expect(problems).toEqual([{ field: 'frameAncestors', message: expect.stringContaining('not an origin') }])
  })
})

describe('allowed origins', () => {
  it('refuses a wildcard and a directive separator, and keeps loopback IPv6 for development', () => {
    const problems: FieldProblem[] = []
    const origins = parseAllowedOrigins(
      ['https://*.example.com', 'https://a.example;x', 'http://[::1]:8080'],
      'sandbox',
      problems,
    )
    expect(origins).toEqual(['http://[::1]:8080'])
    expect(problems.map((problem) => problem.field)).toEqual(['allowedOrigins', 'allowedOrigins'])
  })
})
